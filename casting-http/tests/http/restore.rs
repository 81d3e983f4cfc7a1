//! Nothing is lost, over HTTP: the trail's values, and `POST /movies|actors/{id}/restore`.

use casting_core::Role::{CastingAssistant, CastingDirector, ExecutiveProducer};
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::TestApp;

/// The newest entry about `resource` `id`.
async fn newest(app: &TestApp, resource: &str, id: i64) -> Value {
    let about = app
        .get(
            &format!("/audit?resource={resource}&id={id}"),
            ExecutiveProducer,
        )
        .await;
    about.expect(200, "");
    about.body["entries"][0].clone()
}

async fn values_are_written_as_the_api_writes_them(app: &TestApp) {
    let a = app.actor("Valued actor", &[]).await;
    let m = app.movie("Valued movie", &[a]).await;
    let created = newest(app, "movie", m).await;
    assert_eq!(
        created["changes"],
        json!({
            "actors": { "from": null, "to": [a] },
            "release_date": { "from": null, "to": "Sat, 08 Feb 2025 00:00:00 GMT" },
            "title": { "from": null, "to": "Valued movie" },
        })
    );
    let joined = newest(app, "actor", a).await;
    assert_eq!(
        joined["changes"],
        json!({ "movies": { "from": [], "to": [m] } })
    );

    let cast = json!({ "cast": [{ "actor": a, "character": "Ripley", "billing": 2 }] });
    app.call(
        Method::PUT,
        &format!("/movies/{m}/cast"),
        Some(&TestApp::token(CastingDirector)),
        Some(cast),
    )
    .await
    .expect(200, "");
    let recast = newest(app, "movie", m).await;
    assert_eq!(
        recast["changes"]["cast"],
        json!({
            "from": [{ "actor": a, "billing": 1, "character": null }],
            "to": [{ "actor": a, "billing": 2, "character": "Ripley" }],
        })
    );
    app.patch(
        &format!("/actors/{a}"),
        CastingDirector,
        json!({ "age": 41, "gender": "Male" }),
    )
    .await
    .expect(200, "");
    let changed = newest(app, "actor", a).await;
    assert_eq!(changed["fields"], json!(["age", "gender"]));
    assert_eq!(changed["changes"]["age"], json!({ "from": 40, "to": 41 }));
    assert_eq!(changed["changes"]["gender"]["to"], "Male");
}

async fn a_movie_deleted_by_mistake_is_found_in_the_trail_and_restored(app: &TestApp) {
    let a = app.actor("Kept actor", &[]).await;
    let b = app.actor("Gone actor", &[]).await;
    let m = app.movie("Deleted by mistake", &[a, b]).await;
    app.delete(&format!("/movies/{m}"), ExecutiveProducer)
        .await
        .expect(200, "");
    app.delete(&format!("/actors/{b}"), ExecutiveProducer)
        .await
        .expect(200, "");

    let deleted = newest(app, "movie", m).await;
    assert_eq!(deleted["action"], "delete");
    assert_eq!(
        deleted["fields"],
        json!(["title", "release_date", "actors", "cast"])
    );
    assert_eq!(
        deleted["changes"]["title"],
        json!({ "from": "Deleted by mistake", "to": null })
    );
    assert_eq!(deleted["changes"]["actors"]["from"], json!([a, b]));
    let deleted_version = deleted["version"].as_i64().unwrap();

    let path = format!("/movies/{m}/restore");
    // Bringing a movie back is creating it again: `post:movies`.
    app.post(&path, CastingDirector, json!({}))
        .await
        .expect(403, "insufficient_permission");
    let restored = app.post(&path, ExecutiveProducer, json!({})).await;
    restored.expect(200, "");
    assert_eq!(restored.body["success"], true);
    assert_eq!(restored.body["movie"]["id"], m);
    assert_eq!(restored.body["movie"]["title"], "Deleted by mistake");
    assert_eq!(restored.body["movie"]["actors"], json!([a]));
    assert_eq!(restored.body["movie"]["version"], deleted_version + 1);
    assert_eq!(restored.body["left_out"], json!([b]));
    let tag = format!("\"m-{m}-v{}\"", deleted_version + 1);
    assert_eq!(restored.header("etag"), Some(tag.as_str()));
    let details = app
        .get(&format!("/movie-details/{m}"), CastingAssistant)
        .await;
    details.expect(200, "");
    assert_eq!(details.body["movie"], restored.body["movie"]);
    let entry = newest(app, "movie", m).await;
    assert_eq!(
        (entry["action"].as_str(), entry["subject"].as_str()),
        (Some("restore"), Some("dev|executive-producer"))
    );
    assert_eq!(
        entry["changes"]["actors"],
        json!({ "from": null, "to": [a] })
    );

    let again = app.post(&path, ExecutiveProducer, json!({})).await;
    again.expect(409, "already_exists");
    assert_eq!(again.body["message"], "conflict");
    assert_eq!(
        again.body["details"],
        json!({ "resource": "movie", "id": m })
    );
    app.post("/movies/999999/restore", ExecutiveProducer, json!({}))
        .await
        .expect(404, "not_found");
    app.post("/movies/abc/restore", ExecutiveProducer, json!({}))
        .await
        .expect(400, "bad_request");
}

async fn an_actor_comes_back_with_their_credits(app: &TestApp) {
    let m = app.movie("Still here", &[]).await;
    let a = app.actor("Restored actor", &[m]).await;
    app.delete(&format!("/actors/{a}"), ExecutiveProducer)
        .await
        .expect(200, "");
    let restored = app
        .post(&format!("/actors/{a}/restore"), CastingDirector, json!({}))
        .await;
    restored.expect(200, "");
    assert_eq!(restored.body["actor"]["movies"], json!([m]));
    assert_eq!(restored.body["left_out"], json!([]));
    let credits = app
        .get(&format!("/actors/{a}/credits"), CastingAssistant)
        .await;
    assert_eq!(credits.body["credits"][0]["movie"]["id"], m);
    assert_eq!(credits.body["credits"][0]["billing"], 1);
    app.post(&format!("/actors/{a}/restore"), CastingDirector, json!({}))
        .await
        .expect(409, "already_exists");
}

on_both_stores!(
    values_are_written_as_the_api_writes_them,
    a_movie_deleted_by_mistake_is_found_in_the_trail_and_restored,
    an_actor_comes_back_with_their_credits,
);
