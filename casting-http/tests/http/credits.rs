//! Credits over HTTP, on both stores: cast a film, read it back, read an actor's credits, and
//! every error of `PUT /movies/{id}/cast`, none of which changes anything.

use crate::support::TestApp;
use casting_core::Role::{CastingAssistant, CastingDirector, ExecutiveProducer};
use reqwest::Method;
use serde_json::{Value, json};

on_both_stores!(
    cast_a_film_read_it_back_and_read_credits,
    id_lists_keep_the_credits,
    bad_casts_change_nothing,
);

async fn put_cast(app: &TestApp, movie: i64, body: Value) -> crate::support::Reply {
    let token = TestApp::token(CastingDirector);
    app.call(
        Method::PUT,
        &format!("/movies/{movie}/cast"),
        Some(&token),
        Some(body),
    )
    .await
}

/// `(actor id, character, billing)` of each credit of a cast answer.
fn credits(reply: &crate::support::Reply) -> Vec<(i64, Value, i64)> {
    reply.body["cast"]
        .as_array()
        .unwrap_or_else(|| panic!("no cast: {}", reply.text))
        .iter()
        .map(|c| {
            (
                c["actor"]["id"].as_i64().unwrap(),
                c["character"].clone(),
                c["billing"].as_i64().unwrap(),
            )
        })
        .collect()
}

async fn cast_a_film_read_it_back_and_read_credits(app: &TestApp) {
    let weaver = app.actor("Sigourney Weaver", &[]).await;
    let biehn = app.actor("Michael Biehn", &[]).await;
    let henn = app.actor("Carrie Henn", &[]).await;
    let aliens = app.movie("Aliens", &[]).await;

    let reply = put_cast(
        app,
        aliens,
        json!({ "cast": [
            { "actor": henn, "character": " Newt " },
            { "actor": weaver, "character": "Ellen Ripley", "billing": 1 },
            { "actor": biehn, "character": null, "billing": 2 },
        ] }),
    )
    .await;
    reply.expect(200, "");
    let expected = vec![
        (weaver, json!("Ellen Ripley"), 1),
        (biehn, Value::Null, 2),
        (henn, json!("Newt"), 3),
    ];
    assert_eq!(credits(&reply), expected);
    assert_eq!(reply.body["movie"], json!(aliens));
    assert_eq!(reply.body["success"], json!(true));
    assert_eq!(
        reply.body["cast"][0]["actor"]["name"],
        json!("Sigourney Weaver")
    );
    assert_eq!(
        reply.body["cast"][0]["actor"].as_object().unwrap().len(),
        4,
        "a short actor"
    );

    let read = app
        .get(&format!("/movies/{aliens}/cast"), CastingAssistant)
        .await;
    read.expect(200, "");
    assert_eq!(read.body, reply.body);
    let details = app
        .get(&format!("/movie-details/{aliens}"), CastingAssistant)
        .await;
    let mut ids = vec![weaver, biehn, henn];
    ids.sort();
    assert_eq!(details.body["movie"]["actors"], json!(ids));

    let later = app.movie("Avatar", &[]).await;
    put_cast(
        app,
        later,
        json!({ "cast": [{ "actor": weaver, "character": "Grace" }] }),
    )
    .await
    .expect(200, "");
    let filmography = app
        .get(&format!("/actors/{weaver}/credits"), CastingAssistant)
        .await;
    filmography.expect(200, "");
    assert_eq!(filmography.body["actor"], json!(weaver));
    let listed: Vec<(i64, Value, i64)> = filmography.body["credits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["movie"]["id"].as_i64().unwrap(),
                c["character"].clone(),
                c["billing"].as_i64().unwrap(),
            )
        })
        .collect();
    // Both were released on the same day (the test app's default): the higher id first.
    assert_eq!(
        listed,
        [
            (later, json!("Grace"), 1),
            (aliens, json!("Ellen Ripley"), 1)
        ]
    );
    assert!(filmography.body["credits"][0]["movie"]["release_date"].is_string());

    put_cast(app, aliens, json!({ "cast": [] }))
        .await
        .expect(200, "");
    let emptied = app
        .get(&format!("/movies/{aliens}/cast"), CastingAssistant)
        .await;
    assert_eq!(emptied.body["cast"], json!([]));
    app.get("/movies/999999/cast", CastingAssistant)
        .await
        .expect(404, "not_found");
    app.get("/actors/999999/credits", CastingAssistant)
        .await
        .expect(404, "not_found");
    app.get("/actors/+1/credits", CastingAssistant)
        .await
        .expect(400, "bad_request");
}

async fn id_lists_keep_the_credits(app: &TestApp) {
    let lead = app.actor("Lead", &[]).await;
    let gone = app.actor("Gone", &[]).await;
    let extra = app.actor("Extra", &[]).await;
    let movie = app.movie("Film", &[]).await;
    put_cast(
        app,
        movie,
        json!({ "cast": [
            { "actor": lead, "character": "Hero", "billing": 4 },
            { "actor": gone, "character": "Villain", "billing": 9 },
        ] }),
    )
    .await
    .expect(200, "");
    app.patch(
        &format!("/movies/{movie}"),
        ExecutiveProducer,
        json!({ "actors": [extra, lead] }),
    )
    .await
    .expect(200, "");
    let read = app
        .get(&format!("/movies/{movie}/cast"), CastingAssistant)
        .await;
    assert_eq!(
        credits(&read),
        [(lead, json!("Hero"), 4), (extra, Value::Null, 5)]
    );
    app.patch(
        &format!("/actors/{gone}"),
        ExecutiveProducer,
        json!({ "movies": [movie] }),
    )
    .await
    .expect(200, "");
    let read = app
        .get(&format!("/movies/{movie}/cast"), CastingAssistant)
        .await;
    assert_eq!(credits(&read).last(), Some(&(gone, Value::Null, 6)));
    app.delete(&format!("/actors/{lead}"), ExecutiveProducer)
        .await
        .expect(200, "");
    let read = app
        .get(&format!("/movies/{movie}/cast"), CastingAssistant)
        .await;
    assert_eq!(
        credits(&read),
        [(extra, Value::Null, 5), (gone, Value::Null, 6)]
    );
}

async fn bad_casts_change_nothing(app: &TestApp) {
    let a = app.actor("A", &[]).await;
    let b = app.actor("B", &[]).await;
    let movie = app.movie("Film", &[]).await;
    put_cast(
        app,
        movie,
        json!({ "cast": [{ "actor": a, "character": "Kept", "billing": 1 }] }),
    )
    .await
    .expect(200, "");
    let before = app
        .get(&format!("/movies/{movie}/cast"), CastingAssistant)
        .await
        .text;

    for (body, field) in [
        (json!({}), "cast"),
        (json!({ "cast": null }), "cast"),
        (json!({ "cast": {} }), "cast"),
        (json!({ "cast": [7] }), "cast[0]"),
        (json!({ "cast": [{ "character": "X" }] }), "cast[0].actor"),
        (json!({ "cast": [{ "actor": "1" }] }), "cast[0].actor"),
        (
            json!({ "cast": [{ "actor": a, "character": 5 }] }),
            "cast[0].character",
        ),
        (
            json!({ "cast": [{ "actor": a, "billing": "1" }] }),
            "cast[0].billing",
        ),
        (
            json!({ "cast": [{ "actor": a }, { "actor": b, "billing": 1.5 }] }),
            "cast[1].billing",
        ),
    ] {
        let reply = put_cast(app, movie, body.clone()).await;
        reply.expect(400, "bad_request");
        assert!(
            reply.text.contains(&format!("\"{field}\"")),
            "{body}: {}",
            reply.text
        );
    }
    for (body, field) in [
        (
            json!({ "cast": [{ "actor": a }, { "actor": a }] }),
            "cast[1].actor",
        ),
        (
            json!({ "cast": [{ "actor": a, "billing": 2 }, { "actor": b, "billing": 2 }] }),
            "cast[1].billing",
        ),
        (
            json!({ "cast": [{ "actor": a, "billing": 0 }] }),
            "cast[0].billing",
        ),
        (
            json!({ "cast": [{ "actor": a, "billing": 1_000_001 }] }),
            "cast[0].billing",
        ),
        (
            json!({ "cast": [{ "actor": a, "character": "  " }] }),
            "cast[0].character",
        ),
        (
            json!({ "cast": [{ "actor": a, "character": "x".repeat(201) }] }),
            "cast[0].character",
        ),
        (
            json!({ "cast": [{ "actor": a, "character": "a\u{0}b" }] }),
            "cast[0].character",
        ),
    ] {
        let reply = put_cast(app, movie, body.clone()).await;
        reply.expect(422, "validation_failed");
        assert!(
            reply.text.contains(&format!("\"{field}\"")),
            "{body}: {}",
            reply.text
        );
    }
    let unknown = put_cast(
        app,
        movie,
        json!({ "cast": [{ "actor": b }, { "actor": 999_998 }, { "actor": 999_999 }] }),
    )
    .await;
    unknown.expect(422, "validation_failed");
    assert_eq!(
        unknown.body["details"]["unknown_ids"],
        json!({ "ids": [999_998, 999_999], "resource": "actor" })
    );
    // A missing movie is a 404, even with a body that breaks a rule.
    put_cast(app, 999_999, json!({ "cast": [{ "actor": a }] }))
        .await
        .expect(404, "not_found");
    put_cast(
        app,
        999_999,
        json!({ "cast": [{ "actor": a }, { "actor": a }] }),
    )
    .await
    .expect(404, "not_found");
    // Only Casting Directors and Executive Producers may change a cast.
    let token = TestApp::token(CastingAssistant);
    app.call(
        Method::PUT,
        &format!("/movies/{movie}/cast"),
        Some(&token),
        Some(json!({ "cast": [] })),
    )
    .await
    .expect(403, "insufficient_permission");

    let after = app
        .get(&format!("/movies/{movie}/cast"), CastingAssistant)
        .await
        .text;
    assert_eq!(after, before, "nothing changed");
}
