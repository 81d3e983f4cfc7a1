//! Search over HTTP, on both stores: filters, sorting, cursors and the `Link` header, and a 400
//! naming the parameter for every bad one.

use crate::support::{Reply, TestApp};
use casting_core::Role::{CastingAssistant, ExecutiveProducer};
use serde_json::{Value, json};

on_both_stores!(
    the_two_everyday_questions_are_answered,
    cursor_walks_follow_the_link_header_to_the_end,
    bad_list_parameters_are_400_naming_them,
    filters_naming_nothing_give_an_empty_list,
);

/// The message `details.fields` gives for `field`, if it names it.
fn field_message(reply: &Reply, field: &str) -> Option<String> {
    reply.body["details"]["fields"]
        .as_array()?
        .iter()
        .find(|f| f["field"] == json!(field))
        .map(|f| f["message"].as_str().unwrap_or_default().to_owned())
}

fn ids(reply: &Reply, list: &str) -> Vec<i64> {
    reply.body[list]
        .as_array()
        .unwrap_or_else(|| panic!("no {list}: {}", reply.text))
        .iter()
        .map(|item| item["id"].as_i64().expect("id"))
        .collect()
}

async fn actor(app: &TestApp, name: &str, age: i64, gender: &str) -> i64 {
    let reply = app
        .post(
            "/actors",
            ExecutiveProducer,
            json!({ "name": name, "age": age, "gender": gender }),
        )
        .await;
    reply.expect(200, "");
    reply.body["actor"]["id"].as_i64().expect("id")
}

async fn movie(app: &TestApp, title: &str, released: &str, actors: &[i64]) -> i64 {
    let reply = app
        .post(
            "/movies",
            ExecutiveProducer,
            json!({ "title": title, "release_date": released, "actors": actors }),
        )
        .await;
    reply.expect(200, "");
    reply.body["movie"]["id"].as_i64().expect("id")
}

async fn the_two_everyday_questions_are_answered(app: &TestApp) {
    let young = actor(app, "Young", 22, "Female").await;
    let ripley = actor(app, "Ripley", 30, "Female").await;
    actor(app, "Hicks", 30, "Male").await;
    let vasquez = actor(app, "Vasquez", 35, "female").await;
    actor(app, "Bishop", 36, "Female").await;
    let film = movie(app, "Aliens", "18-07-1986", &[ripley, vasquez, young]).await;

    let reply = app
        .get(
            "/actors?gender=Female&age_min=25&age_max=35",
            CastingAssistant,
        )
        .await;
    reply.expect(200, "");
    assert_eq!(ids(&reply, "actors"), [ripley, vasquez]);
    assert_eq!(reply.body["total"], json!(2));
    assert_eq!(reply.body["next"], Value::Null);
    assert_eq!(reply.header("link"), None);
    let cast = app
        .get(
            &format!("/actors?gender=FEMALE&gender=other&age_min=25&movie={film}&sort=-age"),
            CastingAssistant,
        )
        .await;
    assert_eq!(ids(&cast, "actors"), [vasquez, ripley]);

    let early = movie(app, "Early", "2025-01-01", &[]).await;
    movie(app, "Before", "2024-12-31", &[]).await;
    let late = movie(app, "Late", "31-12-2025", &[]).await;
    let mid = movie(app, "Mid", "2025-06-01", &[ripley]).await;
    movie(app, "After", "2026-01-01", &[]).await;
    let reply = app
        .get(
            "/movies?released_from=2025-01-01&released_to=31-12-2025&sort=-release_date",
            CastingAssistant,
        )
        .await;
    reply.expect(200, "");
    assert_eq!(ids(&reply, "movies"), [late, mid, early]);
    assert_eq!(
        reply.body["movies"][0]["release_date"],
        json!("Wed, 31 Dec 2025 00:00:00 GMT")
    );
    let reply = app
        .get(
            &format!("/movies?actor={ripley}&actor={young}"),
            CastingAssistant,
        )
        .await;
    assert_eq!(ids(&reply, "movies"), [film]);
    let reply = app
        .get("/movies?q=LI&sort=title&count=none", CastingAssistant)
        .await;
    assert_eq!(ids(&reply, "movies"), [film]);
    assert_eq!(reply.body["total"], Value::Null);
}

async fn cursor_walks_follow_the_link_header_to_the_end(app: &TestApp) {
    let mut made = Vec::new();
    for (i, name) in ["Eve", "Bob", "Dan", "Ann", "Cat", "Bob", "Fay"]
        .iter()
        .enumerate()
    {
        made.push((*name, actor(app, name, 20 + i as i64, "Other").await));
    }
    made.sort();
    let expected: Vec<i64> = made.iter().map(|(_, id)| *id).collect();

    let mut path = "/actors?per_page=2&sort=name&count=none&gender=Other".to_owned();
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let reply = app.get(&path, CastingAssistant).await;
        reply.expect(200, "");
        pages += 1;
        assert_eq!(reply.body["total"], Value::Null);
        assert_eq!(reply.body["per_page"], json!(2));
        assert_eq!(
            reply.body["page"],
            if pages == 1 { json!(1) } else { Value::Null }
        );
        seen.extend(ids(&reply, "actors"));
        let Some(link) = reply.header("link") else {
            assert_eq!(reply.body["next"], Value::Null, "no Link, no next");
            break;
        };
        let next = reply.body["next"].as_str().expect("a next cursor");
        assert_eq!(
            link,
            format!(
                "</actors?per_page=2&sort=name&count=none&gender=Other&after={next}>; rel=\"next\""
            )
        );
        path = link
            .strip_prefix('<')
            .and_then(|l| l.split_once('>'))
            .map(|(url, _)| url.to_owned())
            .expect("a link");
    }
    assert_eq!(seen, expected, "every actor once, by name then id");
    assert_eq!(pages, 4);

    // Page numbers give the next cursor too, and the Link replaces `page` with it.
    let reply = app.get("/actors?page=2&per_page=3", CastingAssistant).await;
    let link = reply.header("link").expect("a next page").to_owned();
    assert!(link.starts_with("</actors?per_page=3&after="), "{link}");
    let next = app
        .get(
            link.trim_start_matches('<').split('>').next().unwrap(),
            CastingAssistant,
        )
        .await;
    let by_number = app.get("/actors?page=3&per_page=3", CastingAssistant).await;
    assert_eq!(ids(&next, "actors"), ids(&by_number, "actors"));
    assert_eq!(next.body["total"], json!(7));
}

async fn bad_list_parameters_are_400_naming_them(app: &TestApp) {
    actor(app, "Ann", 30, "Female").await;
    actor(app, "Bob", 30, "Female").await;
    let first = app
        .get("/actors?per_page=1&sort=name", CastingAssistant)
        .await;
    let cursor = first.body["next"].as_str().expect("a cursor").to_owned();
    let before = app.get("/actors", CastingAssistant).await.text;

    for (query, field) in [
        ("/movies?sort=rating", "sort"),
        ("/movies?sort=title,title", "sort"),
        ("/movies?sort=id,title", "sort"),
        ("/actors?sort=title", "sort"),
        ("/actors?age_min=40&age_max=30", "age_min"),
        ("/actors?age_min=151", "age_min"),
        ("/actors?age_max=-1", "age_max"),
        ("/actors?age_min=abc", "age_min"),
        (
            "/movies?released_from=2025-02-01&released_to=2025-01-31",
            "released_from",
        ),
        ("/movies?released_from=2025/01/01", "released_from"),
        ("/movies?released_to=31-02-2025", "released_to"),
        ("/movies?actor=0", "actor"),
        ("/movies?actor=-3", "actor"),
        ("/movies?actor=abc", "actor"),
        ("/actors?movie=1&movie=x", "movie"),
        ("/actors?gender=robot", "gender"),
        ("/actors?count=some", "count"),
        ("/actors?after=not-a-cursor", "after"),
    ] {
        let reply = app.get(query, CastingAssistant).await;
        reply.expect(400, "bad_request");
        assert!(
            field_message(&reply, field).is_some(),
            "{query}: expected {field} in {}",
            reply.text
        );
    }

    let both = app
        .get(
            &format!("/actors?page=2&after={cursor}&sort=name"),
            CastingAssistant,
        )
        .await;
    both.expect(400, "bad_request");
    assert!(field_message(&both, "page").is_some(), "{}", both.text);

    for other in ["sort=-name", "sort=name&q=a", "sort=name&gender=Male"] {
        let reply = app
            .get(&format!("/actors?{other}&after={cursor}"), CastingAssistant)
            .await;
        reply.expect(400, "bad_request");
        let message = field_message(&reply, "after").unwrap_or_default();
        assert!(
            message.contains("other filters, q or sort"),
            "{other}: {}",
            reply.text
        );
    }
    let mangled = format!("{}A", cursor);
    let reply = app
        .get(
            &format!("/actors?sort=name&after={mangled}"),
            CastingAssistant,
        )
        .await;
    reply.expect(400, "bad_request");
    assert!(
        field_message(&reply, "after")
            .unwrap_or_default()
            .contains("not a cursor")
    );
    let movies_cursor = app
        .get(
            &format!("/movies?sort=name&after={cursor}"),
            CastingAssistant,
        )
        .await;
    movies_cursor.expect(400, "bad_request");

    let good = app
        .get(
            &format!("/actors?sort=name&per_page=5&count=none&after={cursor}"),
            CastingAssistant,
        )
        .await;
    good.expect(200, "");
    assert_eq!(good.body["actors"][0]["name"], json!("Bob"));
    assert_eq!(app.get("/actors", CastingAssistant).await.text, before);
}

async fn filters_naming_nothing_give_an_empty_list(app: &TestApp) {
    let ann = actor(app, "Ann", 30, "Female").await;
    movie(app, "One", "2000-01-01", &[ann]).await;
    for path in [
        "/movies?actor=999999".to_owned(),
        format!("/movies?actor={ann}&actor=999999"),
        "/actors?movie=999999".to_owned(),
    ] {
        let reply = app.get(&path, CastingAssistant).await;
        reply.expect(200, "");
        assert_eq!(reply.body["total"], json!(0), "{path}");
        assert_eq!(reply.body["next"], Value::Null);
        assert!(reply.body.as_object().unwrap().values().count() == 6);
    }
}
