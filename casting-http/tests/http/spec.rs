//! The OpenAPI document: the committed copy is the generated one, and every operation declares
//! the bearer scheme and the error statuses it can return.

use serde_json::Value;

fn generated() -> Value {
    crate::support::spec()
}

#[test]
fn the_committed_spec_is_the_generated_one() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/openapi.json");
    let committed = std::fs::read_to_string(path).expect("docs/openapi.json exists");
    let committed: Value = serde_json::from_str(&committed).expect("docs/openapi.json is JSON");
    assert!(
        committed == generated(),
        "docs/openapi.json is stale: regenerate it with\n    \
         cargo run -p casting-server -- openapi > docs/openapi.json"
    );
}

/// The operations that need no token: the probes.
const PUBLIC: [&str; 2] = ["/health", "/ready"];

#[test]
fn every_operation_declares_the_bearer_scheme_and_its_errors() {
    let spec = generated();
    assert_eq!(
        spec["components"]["securitySchemes"]["bearerAuth"]["scheme"],
        "bearer"
    );
    let mut count = 0;
    for (path, methods) in spec["paths"].as_object().unwrap() {
        for (method, operation) in methods.as_object().unwrap() {
            count += 1;
            if PUBLIC.contains(&path.as_str()) {
                assert_eq!(
                    operation["security"],
                    serde_json::json!([]),
                    "{path} says it is public"
                );
                let description = operation["description"].as_str().unwrap_or_default();
                assert!(description.starts_with("Public"), "{path}: {description}");
                continue;
            }
            let security = &operation["security"];
            assert_eq!(
                security,
                &serde_json::json!([{ "bearerAuth": [] }]),
                "{method} {path} must declare the bearer scheme"
            );
            let responses = operation["responses"].as_object().unwrap();
            // The body limit applies to every request, whatever its method.
            let mut expected = vec!["200", "400", "401", "403", "413", "500", "503"];
            if path.contains("{id}") {
                expected.push("404");
            }
            let restore = path.ends_with("/restore");
            if (method == "post" && !restore) || method == "patch" {
                expected.push("422");
            }
            if restore {
                expected.push("409");
            }
            for status in expected {
                let response = responses
                    .get(status)
                    .unwrap_or_else(|| panic!("{method} {path} does not declare {status}"));
                if status != "200" {
                    assert_eq!(
                        response["content"]["application/json"]["schema"]["$ref"],
                        "#/components/schemas/ErrorBody",
                        "{method} {path} {status}"
                    );
                }
            }
            assert!(
                responses["503"]["headers"]
                    .as_object()
                    .is_some_and(|h| h.keys().any(|k| k.eq_ignore_ascii_case("retry-after"))),
                "{method} {path} 503 declares Retry-After"
            );
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let name = parameter["name"].as_str().unwrap_or_default();
                assert!(
                    parameter["description"]
                        .as_str()
                        .is_some_and(|d| !d.is_empty()),
                    "{method} {path}: parameter {name} has a description"
                );
                match name {
                    "page" => assert_eq!(parameter["schema"]["minimum"], 1.0, "{path}"),
                    "per_page" => {
                        assert_eq!(parameter["schema"]["minimum"], 1.0, "{path}");
                        assert_eq!(parameter["schema"]["maximum"], 100.0, "{path}");
                    }
                    "age_min" | "age_max" => {
                        assert_eq!(parameter["schema"]["minimum"], 0.0, "{path}");
                        assert_eq!(parameter["schema"]["maximum"], 150.0, "{path}");
                    }
                    "actor" | "movie" => {
                        assert_eq!(parameter["schema"]["type"], "array", "{path} {name}");
                        assert_eq!(parameter["schema"]["items"]["minimum"], 1.0, "{path}");
                        assert_eq!(parameter["required"], false, "{path} {name}");
                    }
                    // The enums are named schemas (see the test for generated clients).
                    "gender" => assert_eq!(
                        parameter["schema"]["items"]["$ref"],
                        "#/components/schemas/Gender"
                    ),
                    "count" => {
                        assert_eq!(parameter["schema"]["$ref"], "#/components/schemas/Count")
                    }
                    "sort" => assert!(
                        parameter["schema"]["pattern"].is_string(),
                        "{path}: sort has a pattern"
                    ),
                    "after" => assert_eq!(parameter["schema"]["maxLength"], 2048.0),
                    _ => {}
                }
            }
            for status in ["401", "403"] {
                assert!(
                    responses[status]["headers"].as_object().is_some_and(|h| h
                        .keys()
                        .any(|k| k.eq_ignore_ascii_case("www-authenticate"))),
                    "{method} {path} {status} declares WWW-Authenticate"
                );
            }
            let description = operation["description"].as_str().unwrap_or_default();
            assert!(
                description.starts_with("Requires `"),
                "{method} {path}: {description}"
            );
        }
    }
    assert_eq!(count, 21, "19 operations behind tokens and the two probes");
    assert!(
        !spec.to_string().contains("charset"),
        "media types are plain application/json"
    );
    assert_eq!(spec["servers"][0]["url"], "/", "servers is not empty");
    assert!(
        !spec.to_string().contains("allOf"),
        "references are plain $refs, so generators make one model per schema"
    );
    let schemas = &spec["components"]["schemas"];
    let details = &schemas["ErrorBody"]["properties"]["details"];
    assert_eq!(details["type"], "object", "{details}");
    for patch in ["MoviePatchBody", "ActorPatchBody"] {
        assert_eq!(schemas[patch]["minProperties"], 1, "{patch}");
    }
    assert_eq!(
        schemas["Gender"]["enum"],
        serde_json::json!(["Female", "Male", "Other"])
    );
}

#[test]
fn dates_and_rules_are_described_in_the_schemas() {
    let spec = generated();
    let schemas = &spec["components"]["schemas"];
    let new_movie = &schemas["NewMovieBody"]["properties"];
    assert_eq!(new_movie["title"]["maxLength"], 200);
    assert_eq!(new_movie["title"]["minLength"], 1);
    assert!(
        new_movie["release_date"]["description"]
            .as_str()
            .unwrap()
            .contains("DD-MM-YYYY")
    );
    let new_actor = &schemas["NewActorBody"]["properties"];
    assert_eq!(new_actor["age"]["maximum"], 150.0);
    assert_eq!(new_actor["age"]["minimum"], 0.0);
    let required = schemas["NewMovieBody"]["required"].as_array().unwrap();
    assert!(
        required.contains(&Value::from("title")) && required.contains(&Value::from("release_date"))
    );
}

/// Every `enum` in the document: its values, where it stands, and whether it is a named
/// component (a top-level schema of `components`) rather than inline.
fn enums(value: &Value, at: &str, found: &mut Vec<(String, String, bool)>) {
    match value {
        Value::Object(members) => {
            let named = at.starts_with("#/components/schemas/") && at.matches('/').count() == 3;
            if let Some(values) = members.get("enum") {
                found.push((values.to_string(), at.to_owned(), named));
            }
            for (key, member) in members {
                enums(member, &format!("{at}/{key}"), found);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                enums(item, &format!("{at}/{i}"), found);
            }
        }
        _ => {}
    }
}

/// What generated clients need (issue 27): one named schema per enum, referenced wherever it is
/// used; the probes public by `security: []`; a licence with a URL; nullable inputs marked;
/// response headers spelled as HTTP spells them.
#[test]
fn generated_clients_get_one_type_per_enum_and_the_document_says_what_the_server_takes() {
    let spec = generated();
    let mut found = Vec::new();
    enums(&spec, "#", &mut found);
    // An enum declared inline is one type in a client; declared twice, or beside a named
    // schema with the same values, it is several.
    for (values, at, named) in &found {
        let same: Vec<&String> = found
            .iter()
            .filter(|(v, a, _)| v == values && a != at)
            .map(|(_, a, _)| a)
            .collect();
        assert!(
            *named || same.is_empty(),
            "{values} is declared inline at {at} and also at {same:?}"
        );
    }
    let schemas = &spec["components"]["schemas"];
    assert_eq!(
        schemas["Gender"]["enum"],
        serde_json::json!(["Female", "Male", "Other"])
    );
    assert_eq!(
        schemas["Count"]["enum"],
        serde_json::json!(["exact", "none"])
    );
    for shape in ["ActorLong", "ActorShort"] {
        assert_eq!(
            schemas[shape]["properties"]["gender"]["$ref"], "#/components/schemas/Gender",
            "{shape}"
        );
    }
    let mut counted = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let schema = &parameter["schema"];
                match parameter["name"].as_str() {
                    Some("count") => {
                        counted += 1;
                        assert_eq!(schema["$ref"], "#/components/schemas/Count", "{path}");
                    }
                    Some("gender") => assert_eq!(
                        schema["items"]["$ref"], "#/components/schemas/Gender",
                        "{path}"
                    ),
                    _ => {}
                }
            }
            for (status, response) in operation["responses"].as_object().unwrap() {
                for header in response["headers"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|h| h.0)
                {
                    assert!(
                        [
                            "ETag",
                            "Link",
                            "Retry-After",
                            "WWW-Authenticate",
                            "Idempotent-Replayed"
                        ]
                        .contains(&header.as_str()),
                        "{method} {path} {status}: {header}"
                    );
                }
            }
        }
    }
    assert_eq!(counted, 3, "every paged list has count");
    assert!(
        spec["info"]["license"]["url"]
            .as_str()
            .is_some_and(|url| url.starts_with("https://")),
        "{}",
        spec["info"]["license"]
    );
    let credit = &schemas["CreditInput"]["properties"];
    assert_eq!(credit["character"]["nullable"], true);
    assert_eq!(credit["billing"]["nullable"], true);
}
