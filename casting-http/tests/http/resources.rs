//! The resources over real HTTP, on both stores: round trips, partial updates, the relation,
//! deletes, paging and search.

use crate::support::TestApp;
use casting_core::Role::{CastingAssistant, CastingDirector, ExecutiveProducer};
use serde_json::{Value, json};

on_both_stores!(
    movies_round_trip_with_the_original_date_format,
    actors_round_trip_with_capitalised_gender,
    patch_is_a_real_partial_update,
    the_relation_is_visible_from_both_sides,
    deleting_either_side_unlinks_and_keeps_the_other,
    paging_totals_and_bounds,
    q_filters_titles_and_names,
    empty_collections_are_200,
);

async fn movies_round_trip_with_the_original_date_format(app: &TestApp) {
    let created = app
        .post(
            "/movies",
            ExecutiveProducer,
            json!({ "title": "  Amélie ", "release_date": "25-04-2001" }),
        )
        .await;
    created.expect(200, "");
    let movie = &created.body["movie"];
    assert_eq!(created.body["success"], json!(true));
    assert_eq!(movie["title"], json!("Amélie"));
    assert_eq!(
        movie["release_date"],
        json!("Wed, 25 Apr 2001 00:00:00 GMT")
    );
    assert_eq!(movie["actors"], json!([]));
    let id = movie["id"].as_i64().unwrap();

    for path in [format!("/movie-details/{id}"), format!("/movies/{id}")] {
        let fetched = app.get(&path, CastingAssistant).await;
        fetched.expect(200, "");
        assert_eq!(&fetched.body["movie"], movie);
    }
    let listed = app.get("/movies", CastingAssistant).await;
    listed.expect(200, "");
    assert_eq!(
        listed.body["movies"],
        json!([{ "id": id, "title": "Amélie", "release_date": "Wed, 25 Apr 2001 00:00:00 GMT" }])
    );

    let deleted = app
        .delete(&format!("/movies/{id}"), ExecutiveProducer)
        .await;
    deleted.expect(200, "");
    assert_eq!(
        deleted.body,
        json!({
            "success": true,
            "deleted": id,
            "movie": { "id": id, "title": "Amélie", "release_date": "Wed, 25 Apr 2001 00:00:00 GMT" }
        })
    );
    app.get(&format!("/movies/{id}"), CastingAssistant)
        .await
        .expect(404, "not_found");
}

async fn actors_round_trip_with_capitalised_gender(app: &TestApp) {
    let created = app
        .post(
            "/actors",
            CastingDirector,
            json!({ "name": "Song Kang-ho", "age": 58, "gender": "MALE" }),
        )
        .await;
    created.expect(200, "");
    let actor = &created.body["actor"];
    assert_eq!(actor["gender"], json!("Male"));
    assert_eq!(actor["age"], json!(58));
    assert_eq!(actor["movies"], json!([]));
    let id = actor["id"].as_i64().unwrap();
    let fetched = app
        .get(&format!("/actor-details/{id}"), CastingAssistant)
        .await;
    assert_eq!(&fetched.body["actor"], actor);
    let listed = app.get("/actors", CastingAssistant).await;
    assert_eq!(
        listed.body["actors"],
        json!([{ "id": id, "name": "Song Kang-ho", "age": 58, "gender": "Male" }])
    );
    let deleted = app.delete(&format!("/actors/{id}"), CastingDirector).await;
    deleted.expect(200, "");
    assert_eq!(deleted.body["deleted"], json!(id));
    assert_eq!(deleted.body["actor"]["name"], json!("Song Kang-ho"));
}

async fn patch_is_a_real_partial_update(app: &TestApp) {
    let a1 = app.actor("A1", &[]).await;
    let id = app.movie("Draft", &[a1]).await;
    let path = format!("/movies/{id}");

    let renamed = app
        .patch(&path, CastingDirector, json!({ "title": "Final" }))
        .await;
    renamed.expect(200, "");
    assert_eq!(renamed.body["movie"]["title"], json!("Final"));
    assert_eq!(
        renamed.body["movie"]["release_date"],
        json!("Sat, 08 Feb 2025 00:00:00 GMT")
    );
    assert_eq!(renamed.body["movie"]["actors"], json!([a1]));

    let redated = app
        .patch(
            &path,
            CastingDirector,
            json!({ "release_date": "1999-12-31" }),
        )
        .await;
    assert_eq!(redated.body["movie"]["title"], json!("Final"));
    assert_eq!(
        redated.body["movie"]["release_date"],
        json!("Fri, 31 Dec 1999 00:00:00 GMT")
    );

    let emptied = app
        .patch(&path, CastingDirector, json!({ "actors": [] }))
        .await;
    assert_eq!(emptied.body["movie"]["actors"], json!([]));
    assert_eq!(emptied.body["movie"]["title"], json!("Final"));

    let actor_path = format!("/actors/{a1}");
    let older = app
        .patch(&actor_path, CastingDirector, json!({ "age": 41 }))
        .await;
    older.expect(200, "");
    assert_eq!(older.body["actor"]["age"], json!(41));
    assert_eq!(older.body["actor"]["name"], json!("A1"));
    assert_eq!(older.body["actor"]["gender"], json!("Female"));

    app.patch(&path, CastingDirector, json!({}))
        .await
        .expect(400, "bad_request");
}

async fn the_relation_is_visible_from_both_sides(app: &TestApp) {
    let a1 = app.actor("A1", &[]).await;
    let a2 = app.actor("A2", &[]).await;
    let movie = app.movie("Ensemble", &[a2, a1, a2]).await;
    let fetched = app.get(&format!("/movies/{movie}"), CastingAssistant).await;
    assert_eq!(fetched.body["movie"]["actors"], json!([a1, a2]));
    for actor in [a1, a2] {
        let reply = app
            .get(&format!("/actor-details/{actor}"), CastingAssistant)
            .await;
        assert_eq!(reply.body["actor"]["movies"], json!([movie]));
    }
    let m2 = app.movie("Second", &[]).await;
    let reply = app
        .patch(
            &format!("/actors/{a1}"),
            CastingDirector,
            json!({ "movies": [m2, movie] }),
        )
        .await;
    assert_eq!(reply.body["actor"]["movies"], json!([movie, m2]));
    let second = app.get(&format!("/movies/{m2}"), CastingAssistant).await;
    assert_eq!(second.body["movie"]["actors"], json!([a1]));
}

async fn deleting_either_side_unlinks_and_keeps_the_other(app: &TestApp) {
    let a1 = app.actor("A1", &[]).await;
    let a2 = app.actor("A2", &[]).await;
    let m1 = app.movie("M1", &[a1, a2]).await;
    let m2 = app.movie("M2", &[a1]).await;

    app.delete(&format!("/movies/{m1}"), ExecutiveProducer)
        .await
        .expect(200, "");
    let actor = app.get(&format!("/actors/{a1}"), CastingAssistant).await;
    assert_eq!(actor.body["actor"]["movies"], json!([m2]));
    let actor = app.get(&format!("/actors/{a2}"), CastingAssistant).await;
    assert_eq!(actor.body["actor"]["movies"], json!([]));

    app.delete(&format!("/actors/{a1}"), CastingDirector)
        .await
        .expect(200, "");
    let movie = app.get(&format!("/movies/{m2}"), CastingAssistant).await;
    movie.expect(200, "");
    assert_eq!(movie.body["movie"]["actors"], json!([]));
}

async fn paging_totals_and_bounds(app: &TestApp) {
    let mut ids = Vec::new();
    for i in 0..23 {
        ids.push(app.movie(&format!("Movie {i:02}"), &[]).await);
    }
    let first = app.get("/movies", CastingAssistant).await;
    assert_eq!(first.body["total"], json!(23));
    assert_eq!(first.body["page"], json!(1));
    assert_eq!(first.body["per_page"], json!(10));
    let listed: Vec<i64> = first.body["movies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect();
    assert_eq!(listed, ids[..10]);

    let third = app
        .get("/movies?page=3&per_page=10", CastingAssistant)
        .await;
    assert_eq!(third.body["movies"].as_array().unwrap().len(), 3);
    let past = app.get("/movies?page=9", CastingAssistant).await;
    past.expect(200, "");
    assert_eq!(past.body["movies"], json!([]));
    assert_eq!(past.body["total"], json!(23));
    let big = app.get("/movies?per_page=100", CastingAssistant).await;
    assert_eq!(big.body["movies"].as_array().unwrap().len(), 23);

    for bad in [
        "page=0",
        "page=-1",
        "page=abc",
        "per_page=0",
        "per_page=101",
        "per_page=1.5",
        "page=99999999999999999999",
    ] {
        let reply = app.get(&format!("/movies?{bad}"), CastingAssistant).await;
        reply.expect(400, "bad_request");
    }
    app.get("/actors?per_page=101", CastingAssistant)
        .await
        .expect(400, "bad_request");
}

async fn q_filters_titles_and_names(app: &TestApp) {
    let star = app.movie("Star Wars", &[]).await;
    app.movie("Alien", &[]).await;
    let percent = app.movie("100% Star", &[]).await;
    let reply = app.get("/movies?q=STAR", CastingAssistant).await;
    assert_eq!(reply.body["total"], json!(2));
    let ids: Vec<Value> = reply.body["movies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].clone())
        .collect();
    assert_eq!(ids, [json!(star), json!(percent)]);
    let reply = app.get("/movies?q=%25", CastingAssistant).await;
    assert_eq!(reply.body["total"], json!(1));
    let ada = app.actor("Ada Lovelace", &[]).await;
    app.actor("Grace Hopper", &[]).await;
    let reply = app.get("/actors?q=love", CastingAssistant).await;
    assert_eq!(reply.body["actors"][0]["id"], json!(ada));
    assert_eq!(reply.body["total"], json!(1));
}

async fn empty_collections_are_200(app: &TestApp) {
    for path in ["/movies", "/actors"] {
        let reply = app.get(path, CastingAssistant).await;
        reply.expect(200, "");
        assert_eq!(reply.body["total"], json!(0));
        assert_eq!(reply.body["success"], json!(true));
    }
    assert_eq!(
        app.get("/movies", CastingAssistant).await.body["movies"],
        json!([])
    );
    assert_eq!(
        app.get("/actors", CastingAssistant).await.body["actors"],
        json!([])
    );
}
