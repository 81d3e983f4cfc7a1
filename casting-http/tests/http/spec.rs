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
                assert!(operation.get("security").is_none(), "{path} is public");
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
            if method == "post" || method == "patch" {
                expected.push("422");
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
                    "gender" => assert_eq!(
                        parameter["schema"]["items"]["enum"],
                        serde_json::json!(["Female", "Male", "Other"])
                    ),
                    "count" => assert_eq!(
                        parameter["schema"]["enum"],
                        serde_json::json!(["exact", "none"])
                    ),
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
    assert_eq!(count, 18, "16 operations behind tokens and the two probes");
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
    for actor in ["ActorShort", "ActorLong"] {
        assert_eq!(
            schemas[actor]["properties"]["gender"]["enum"],
            serde_json::json!(["Female", "Male", "Other"]),
            "{actor}"
        );
    }
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
