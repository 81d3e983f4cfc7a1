//! Development mode: tokens for every role, printed at start, and a small sample catalogue.

use std::time::Duration;

use casting_auth0::DevIssuer;
use casting_core::{
    ActorInput, CastingService, MovieChanges, MovieInput, Principal, ReleaseDate, Role,
};

/// How long printed development tokens stay valid.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(12 * 3600);

/// Prints the warning, one token per role (under the role's name and permissions) and a curl
/// line.
pub fn print_tokens(issuer: &DevIssuer, base_url: &str) {
    let rule = "=".repeat(78);
    println!("{rule}");
    println!("DEVELOPMENT AUTH: NOT FOR PRODUCTION.");
    println!("Tokens are signed by a key made at start and trusted by nothing else.");
    println!("Set AUTH0_DOMAIN and AUTH0_AUDIENCE to verify real Auth0 tokens.");
    println!(
        "Tokens below are valid for {} hours.",
        TOKEN_LIFETIME.as_secs() / 3600
    );
    println!("{rule}");
    // Each token alone on its line (a triple-click copies it whole), under its role and what
    // the role may do, from the core's role table.
    let mut first = None;
    for role in Role::ALL {
        let token = issuer.token_for_role(role, TOKEN_LIFETIME);
        let may: Vec<&str> = role.permissions().iter().map(|p| p.as_str()).collect();
        println!();
        println!("{} may: {}", role.name(), may.join(", "));
        println!("{token}");
        first.get_or_insert(token);
    }
    if let Some(token) = first {
        println!();
        println!("Try: curl -H \"Authorization: Bearer {token}\" {base_url}/movies");
    }
    println!("Swagger UI: {base_url}/docs (Authorize, then paste a token)");
    println!("{rule}");
}

/// Fills an empty memory store with a few movies and actors.
pub async fn load_sample(service: &CastingService) -> Result<(), casting_core::Error> {
    let producer = Principal::with_role("dev|sample-loader", Role::ExecutiveProducer);
    let date =
        |text: &str| ReleaseDate::parse(text).map_err(|e| casting_core::Error::Invalid(vec![e]));
    let mut actors = Vec::new();
    for (name, age, gender) in [
        ("Audrey Tautou", 48, "Female"),
        ("Mathieu Kassovitz", 57, "Male"),
        ("Song Kang-ho", 58, "Male"),
        ("Choi Woo-shik", 35, "Male"),
        ("Tilda Swinton", 64, "Other"),
    ] {
        let actor = service
            .create_actor(
                &producer,
                ActorInput {
                    name: name.into(),
                    age,
                    gender: gender.into(),
                    movies: vec![],
                },
            )
            .await?;
        actors.push(actor.id);
    }
    for (title, released, cast) in [
        ("Amélie", "25-04-2001", &[0, 1][..]),
        ("Parasite", "30-05-2019", &[2, 3][..]),
        ("Snowpiercer", "01-08-2013", &[2, 4][..]),
        ("Okja", "2017-06-28", &[4][..]),
    ] {
        let movie = service
            .create_movie(
                &producer,
                MovieInput {
                    title: title.into(),
                    release_date: date(released)?,
                    actors: vec![],
                },
            )
            .await?;
        service
            .update_movie(
                &producer,
                movie.id,
                MovieChanges {
                    actors: Some(cast.iter().map(|&i| actors[i]).collect()),
                    ..MovieChanges::default()
                },
                None,
            )
            .await?;
    }
    Ok(())
}
