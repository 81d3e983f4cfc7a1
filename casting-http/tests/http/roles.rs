//! Every operation of the spec × every role of the core's table: 200 with the permission, 403
//! without, 401 with no token. The permission of each operation is read from the spec itself,
//! so the docs, the role table and the behaviour cannot drift apart.

use std::collections::BTreeSet;

use crate::support::TestApp;
use casting_core::{Permission, Role};
use reqwest::Method;
use serde_json::{Value, json};

/// `(method, path, permission)` for every operation in the spec behind a token.
fn operations() -> Vec<(Method, String, Permission)> {
    let spec = crate::support::spec();
    let mut operations = Vec::new();
    for (path, methods) in spec["paths"].as_object().unwrap() {
        for (method, operation) in methods.as_object().unwrap() {
            if operation["security"]
                .as_array()
                .is_none_or(|security| security.is_empty())
            {
                // The public probes: their own tests are in `surface`.
                continue;
            }
            let description = operation["description"].as_str().unwrap_or_default();
            let permission = description
                .split('`')
                .nth(1)
                .filter(|_| description.starts_with("Requires `"))
                .unwrap_or_else(|| panic!("{method} {path} names no permission: {description}"));
            let permission: Permission = permission.parse().unwrap();
            operations.push((
                method.to_uppercase().parse().unwrap(),
                path.clone(),
                permission,
            ));
        }
    }
    operations
}

fn body_for(method: &Method, path: &str) -> Option<Value> {
    if path.ends_with("/restore") {
        return None;
    }
    let movies = path.starts_with("/movie");
    match (method.as_str(), movies) {
        ("POST", true) => Some(json!({ "title": "T", "release_date": "08-02-2025" })),
        ("POST", false) => Some(json!({ "name": "N", "age": 30, "gender": "Other" })),
        ("PATCH", true) => Some(json!({ "title": "U" })),
        ("PATCH", false) => Some(json!({ "age": 31 })),
        ("PUT", true) => Some(json!({ "cast": [] })),
        _ => None,
    }
}

/// `path` with a fixture's id: a record made for it, deleted first when the path restores.
async fn path_for(app: &TestApp, path: &str) -> String {
    let (id, records) = if path.starts_with("/movie") {
        (app.movie("Fixture", &[]).await, "movies")
    } else {
        (app.actor("Fixture", &[]).await, "actors")
    };
    if path.ends_with("/restore") {
        let producer = TestApp::token(Role::ExecutiveProducer);
        app.call(
            Method::DELETE,
            &format!("/{records}/{id}"),
            Some(&producer),
            None,
        )
        .await
        .expect(200, "");
    }
    path.replace("{id}", &id.to_string())
}

#[test]
fn the_spec_names_all_eleven_permissions() {
    let named: BTreeSet<Permission> = operations().into_iter().map(|(_, _, p)| p).collect();
    assert_eq!(named, Permission::ALL.into_iter().collect());
    assert_eq!(operations().len(), 19);
}

async fn every_operation_times_every_role(app: &TestApp) {
    for (method, path, permission) in operations() {
        for role in Role::ALL {
            let concrete = path_for(app, &path).await;
            let token = TestApp::token(role);
            let reply = app
                .call(
                    method.clone(),
                    &concrete,
                    Some(&token),
                    body_for(&method, &path),
                )
                .await;
            if role.permissions().contains(permission) {
                reply.expect(200, "");
            } else {
                reply.expect(403, "insufficient_permission");
                assert_eq!(
                    reply.body["details"]["permission"],
                    json!(permission.as_str())
                );
            }
        }
    }
}

async fn no_token_is_401_on_every_operation(app: &TestApp) {
    for (method, path, _) in operations() {
        let concrete = path.replace("{id}", "1");
        let reply = app
            .call(method.clone(), &concrete, None, body_for(&method, &path))
            .await;
        reply.expect(401, "authorization_header_missing");
        assert!(
            reply.header("www-authenticate").is_some(),
            "{method} {path}"
        );
    }
}

async fn a_token_with_one_permission_opens_exactly_its_operations(app: &TestApp) {
    for permission in Permission::ALL {
        let token = crate::support::ISSUER.token_with_permissions(
            "auth0|one",
            [permission.as_str()],
            crate::support::HOUR,
        );
        for (method, path, needed) in operations() {
            let concrete = path_for(app, &path).await;
            let reply = app
                .call(
                    method.clone(),
                    &concrete,
                    Some(&token),
                    body_for(&method, &path),
                )
                .await;
            let expected = if needed == permission { 200 } else { 403 };
            assert_eq!(
                reply.status.as_u16(),
                expected,
                "{permission}: {method} {path}"
            );
        }
    }
}

on_both_stores!(
    every_operation_times_every_role,
    no_token_is_401_on_every_operation,
    a_token_with_one_permission_opens_exactly_its_operations,
);
