//! Lists over the in-memory rows: an unfiltered list by id reads the page straight from the map;
//! any other is one pass over the candidates that keeps only the best `offset + limit` in a
//! buffer (never a copy of the table), then a sort of that buffer.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::ops::Bound::{Excluded, Unbounded};

use casting_core::{
    Direction, Filter, ListQuery, Page, ReleaseDate, SortField, SortKey, SortValue,
};

/// A row's value under one sort key, borrowed from the row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Value<'a> {
    /// An id or an age.
    Int(i64),
    /// A title or a name: compared by code point, as `str` compares.
    Text(&'a str),
    /// A release date.
    Date(ReleaseDate),
}

impl<'a> From<&'a SortValue> for Value<'a> {
    fn from(value: &'a SortValue) -> Self {
        match value {
            SortValue::Int(n) => Value::Int(*n),
            SortValue::Text(text) => Value::Text(text),
            SortValue::Date(date) => Value::Date(*date),
        }
    }
}

/// A sort has at most three keys (each field once, the id last).
const MAX_KEYS: usize = 3;
type Key<'a> = [Value<'a>; MAX_KEYS];

fn compare<F>(a: &Key<'_>, b: &Key<'_>, keys: &[SortKey<F>]) -> Ordering {
    for (i, key) in keys.iter().enumerate().take(MAX_KEYS) {
        let order = a[i].cmp(&b[i]);
        let order = match key.direction {
            Direction::Ascending => order,
            Direction::Descending => order.reverse(),
        };
        if order != Ordering::Equal {
            return order;
        }
    }
    Ordering::Equal
}

/// The page of `query` over `rows`, which hold exactly the records that match its `q` and
/// filters. `value` reads a row's value under a field; `item` makes the listed record.
pub(crate) fn page_of<'a, F, R, T>(
    rows: impl Iterator<Item = R>,
    query: &ListQuery<F>,
    value: impl Fn(R, F::Field) -> Value<'a>,
    item: impl Fn(R) -> T,
) -> Page<T>
where
    F: Filter,
    F::Field: SortField<Item = T>,
    R: Copy + 'a,
{
    let keys = query.sort().keys();
    let key_of = |row: R| -> Key<'a> {
        let mut key = [Value::Int(0); MAX_KEYS];
        for (slot, sort_key) in key.iter_mut().zip(keys) {
            *slot = value(row, sort_key.field);
        }
        key
    };
    let after: Option<Key<'_>> = query.after_values().map(|values| {
        let mut key = [Value::Int(0); MAX_KEYS];
        for (slot, value) in key.iter_mut().zip(values) {
            *slot = value.into();
        }
        key
    });
    let offset = usize::try_from(query.offset()).unwrap_or(usize::MAX);
    // No page starts past the last candidate (the iterator's upper bound: the rows it filters),
    // so such a page keeps nothing and only counts: its buffer stays empty, whatever `page`.
    let candidates = rows.size_hint().1.unwrap_or(usize::MAX);
    let wanted = if offset >= candidates {
        0
    } else {
        offset.saturating_add(query.limit() as usize)
    };
    let cap = wanted.saturating_mul(2).max(64);

    let mut total = 0u64;
    let mut best: Vec<(Key<'a>, R)> = Vec::new();
    for row in rows {
        total += 1;
        if wanted == 0 {
            continue;
        }
        let key = key_of(row);
        if let Some(after) = &after
            && compare(&key, after, keys) != Ordering::Greater
        {
            continue;
        }
        best.push((key, row));
        if best.len() >= cap {
            best.select_nth_unstable_by(wanted - 1, |a, b| compare(&a.0, &b.0, keys));
            best.truncate(wanted);
        }
    }
    best.sort_unstable_by(|a, b| compare(&a.0, &b.0, keys));
    let fetched = best
        .into_iter()
        .skip(offset)
        .take(query.limit() as usize)
        .map(|(_, row)| item(row))
        .collect();
    query.page_of(fetched, Some(total))
}

/// The page of an unfiltered list in id order, read straight from the map in that order
/// (forwards or backwards, from the cursor): the cost of the page, not of the table. `None`
/// when the query filters or sorts on anything else.
pub(crate) fn page_by_id<F, K, R, T>(
    rows: &BTreeMap<K, R>,
    query: &ListQuery<F>,
    item: impl Fn(&K, &R) -> T,
) -> Option<Page<T>>
where
    F: Filter,
    F::Field: SortField<Item = T>,
    K: Ord + Copy + From<i64>,
{
    let [key] = query.sort().keys() else {
        return None;
    };
    if query.is_filtered() || key.field != F::Field::ID {
        return None;
    }
    let after = match query.after_values() {
        None => None,
        Some([SortValue::Int(id)]) => Some(K::from(*id)),
        Some(_) => return None,
    };
    let total = rows.len() as u64;
    let rows: Box<dyn Iterator<Item = (&K, &R)>> = match (key.direction, after) {
        (Direction::Ascending, None) => Box::new(rows.iter()),
        (Direction::Ascending, Some(id)) => Box::new(rows.range((Excluded(id), Unbounded))),
        (Direction::Descending, None) => Box::new(rows.iter().rev()),
        (Direction::Descending, Some(id)) => Box::new(rows.range(..id).rev()),
    };
    let offset = usize::try_from(query.offset()).unwrap_or(usize::MAX);
    let fetched = rows
        .skip(offset)
        .take(query.limit() as usize)
        .map(|(key, row)| item(key, row))
        .collect();
    Some(query.page_of(fetched, Some(total)))
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use casting_core::{MovieField, MovieId, MovieQuery, MovieSummary, ReleaseDate, Title};

    use super::*;

    /// Pages over `count` rows sorted by title, counting the rows whose sort key was read.
    fn page(count: i64, page: u32) -> (Page<MovieSummary>, usize) {
        let title = Title::parse("Same").expect("title");
        let date = ReleaseDate::parse("2000-01-01").expect("date");
        let keyed = Cell::new(0);
        let query = MovieQuery::new(page, 100, None)
            .expect("query")
            .with_sort(casting_core::Sort::parse("title").expect("sort"));
        let result = page_of(
            0..count,
            &query,
            |id, field| {
                keyed.set(keyed.get() + 1);
                match field {
                    MovieField::Title => Value::Text("Same"),
                    _ => Value::Int(id),
                }
            },
            |id| MovieSummary {
                id: MovieId::from(id),
                title: title.clone(),
                release_date: date,
            },
        );
        (result, keyed.get())
    }

    #[test]
    fn a_page_past_the_last_row_buffers_nothing() {
        for number in [11, 1_000, u32::MAX] {
            let (result, keyed) = page(1_000, number);
            assert!(result.items.is_empty(), "page {number}");
            assert_eq!(result.total, Some(1_000), "page {number}");
            assert_eq!(keyed, 0, "page {number} read no sort key");
        }
        let (result, keyed) = page(1_000, 10);
        assert_eq!(result.items.len(), 100);
        assert_eq!(result.items[0].id.get(), 900);
        assert!(keyed >= 1_000, "a page in range reads every row's key");
    }
}
