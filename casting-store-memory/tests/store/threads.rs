//! The memory store shared by tasks on several threads at once.

use std::collections::BTreeSet;
use std::sync::Arc;

use casting_core::{
    ActorId, ActorPatch, Edit, ListQuery, MovieId, MoviePatch, NewActor, NewMovie, Store,
};
use casting_core::{Age, Gender, Name, ReleaseDate, Title};
use casting_store_memory::MemoryStore;
use tokio::task::JoinSet;

fn edit() -> Edit {
    Edit::now("test|threads")
}

fn movie(i: usize) -> NewMovie {
    NewMovie::new(
        Title::parse(&format!("Movie {i}")).unwrap(),
        ReleaseDate::parse("2025-02-08").unwrap(),
    )
}

fn actor(i: usize) -> NewActor {
    NewActor::new(
        Name::parse(&format!("Actor {i}")).unwrap(),
        Age::parse(30).unwrap(),
        Gender::Male,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn spawned_tasks_on_many_threads_keep_the_store_consistent() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let mut movies = Vec::new();
    let mut actors = Vec::new();
    for i in 0..6 {
        movies.push(
            store
                .create_movie(movie(i), &edit(), None)
                .await
                .unwrap()
                .record
                .id,
        );
        actors.push(
            store
                .create_actor(actor(i), &edit(), None)
                .await
                .unwrap()
                .record
                .id,
        );
    }

    let mut tasks = JoinSet::new();
    for i in 0..400usize {
        let store = Arc::clone(&store);
        let (movies, actors) = (movies.clone(), actors.clone());
        tasks.spawn(async move {
            match i % 4 {
                0 => {
                    store
                        .create_movie(movie(100 + i), &edit(), None)
                        .await
                        .unwrap();
                }
                1 => {
                    let cast = vec![actors[i % 6], actors[(i / 4) % 6]];
                    let patch = MoviePatch {
                        actors: Some(cast),
                        ..Default::default()
                    };
                    store
                        .update_movie(movies[i % 6], patch, &edit())
                        .await
                        .unwrap();
                }
                2 => {
                    let roles = vec![movies[(i + 1) % 6]];
                    let patch = ActorPatch {
                        movies: Some(roles),
                        ..Default::default()
                    };
                    store
                        .update_actor(actors[i % 6], patch, &edit())
                        .await
                        .unwrap();
                }
                _ => {
                    store.list_movies(&ListQuery::default()).await.unwrap();
                }
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }

    assert_eq!(
        store
            .list_movies(&ListQuery::default())
            .await
            .unwrap()
            .total,
        Some(106)
    );
    let mut from_movies: BTreeSet<(MovieId, ActorId)> = BTreeSet::new();
    for &m in &movies {
        for a in store.get_movie(m).await.unwrap().actors {
            from_movies.insert((m, a));
        }
    }
    let mut from_actors = BTreeSet::new();
    for &a in &actors {
        for m in store.get_actor(a).await.unwrap().movies {
            from_actors.insert((m, a));
        }
    }
    assert_eq!(from_movies, from_actors);
}
