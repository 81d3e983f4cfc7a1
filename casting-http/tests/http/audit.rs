//! `GET /audit`: who changed what, when, over HTTP.

use casting_core::Role::{CastingDirector, ExecutiveProducer};
use serde_json::json;

use crate::support::TestApp;

async fn the_audit_trail_answers_who_changed_what(app: &TestApp) {
    let a = app.actor("Audited actor", &[]).await;
    let m = app.movie("Audited movie", &[a]).await;
    app.patch(
        &format!("/movies/{m}"),
        CastingDirector,
        json!({ "title": "Renamed" }),
    )
    .await
    .expect(200, "");

    let trail = app.get("/audit", ExecutiveProducer).await;
    trail.expect(200, "");
    let entries = trail.body["entries"].as_array().unwrap();
    assert_eq!(trail.body["total"], 4);
    let newest = &entries[0];
    assert_eq!(newest["resource"], "movie");
    assert_eq!(newest["resource_id"], m);
    assert_eq!(newest["action"], "update");
    assert_eq!(newest["fields"], json!(["title"]));
    assert_eq!(newest["subject"], "dev|casting-director");
    assert_eq!(newest["version"], 2);
    assert!(newest["at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(entries[3]["action"], "create");
    assert_eq!(entries[3]["resource"], "actor");

    let about = app
        .get(&format!("/audit?resource=actor&id={a}"), ExecutiveProducer)
        .await;
    let actions: Vec<&str> = about.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["update", "create"],
        "joined the cast, was created"
    );
    let by_director = app
        .get("/audit?subject=dev%7Ccasting-director", ExecutiveProducer)
        .await;
    assert_eq!(by_director.body["total"], 1);

    let first = app.get("/audit?per_page=3", ExecutiveProducer).await;
    let link = first.header("link").expect("a next page").to_owned();
    assert!(link.contains("after="), "{link}");
    let next = first.body["next"].as_str().unwrap();
    let second = app
        .get(
            &format!("/audit?per_page=3&after={next}"),
            ExecutiveProducer,
        )
        .await;
    assert_eq!(second.body["entries"].as_array().unwrap().len(), 1);
    assert_eq!(second.body["page"], json!(null));

    app.get("/audit", CastingDirector)
        .await
        .expect(403, "insufficient_permission");
    for bad in ["resource=show", "id=0", "page=0", "after=nonsense"] {
        app.get(&format!("/audit?{bad}"), ExecutiveProducer)
            .await
            .expect(400, "bad_request");
    }
}

on_both_stores!(the_audit_trail_answers_who_changed_what);
