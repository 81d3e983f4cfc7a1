//! The newest stretch of the log, as this instance's numbering steps gave it: a reader woken by
//! a step of this instance reads its entries from memory, with no round trip (the entries a
//! step positions come back from its statement, whole).
//!
//! The tail holds every entry from one position on, with no gap: a step whose first position
//! does not follow the tail's last (another instance's step came between) starts it afresh.
//! It is bounded ([`TAIL_MAX`] entries) and young ([`TAIL_AGE`]): a reader further behind, or
//! one whose cursor is not in it, reads the database.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use casting_core::{AuditEntry, ResourceKind};

/// The most entries the tail holds.
pub(crate) const TAIL_MAX: usize = 4_096;

/// How long an entry stays in the tail (far below any retention: an entry served from it has
/// not been pruned from the database).
pub(crate) const TAIL_AGE: Duration = Duration::from_secs(60);

/// The newest stretch of the log: every entry after the position `after`, oldest first.
#[derive(Debug, Default)]
pub(crate) struct Tail {
    after: i64,
    entries: VecDeque<(Instant, AuditEntry)>,
}

impl Tail {
    /// Adds the entries one step positioned (consecutive positions, oldest first).
    pub(crate) fn push(&mut self, step: Vec<AuditEntry>, now: Instant) {
        let Some(first) = step.first() else {
            return;
        };
        if first.id != self.last() + 1 {
            self.entries.clear();
            self.after = first.id - 1;
        }
        self.entries
            .extend(step.into_iter().map(|entry| (now, entry)));
        while self.entries.len() > TAIL_MAX {
            self.drop_oldest();
        }
    }

    /// Up to `limit` entries after the position `after` (of `resource`, when given), when the
    /// tail holds everything after `after` and at least one of them is wanted.
    pub(crate) fn page(
        &mut self,
        after: i64,
        resource: Option<ResourceKind>,
        limit: u16,
        now: Instant,
    ) -> Option<Vec<AuditEntry>> {
        while self
            .entries
            .front()
            .is_some_and(|(at, _)| now.duration_since(*at) > TAIL_AGE)
        {
            self.drop_oldest();
        }
        if after < self.after || after >= self.last() {
            return None;
        }
        let skip = usize::try_from(after - self.after).ok()?;
        let page: Vec<AuditEntry> = self
            .entries
            .iter()
            .skip(skip)
            .map(|(_, entry)| entry)
            .filter(|entry| resource.is_none_or(|kind| entry.resource == kind))
            .take(usize::from(limit))
            .cloned()
            .collect();
        (!page.is_empty()).then_some(page)
    }

    /// The newest position the tail holds (or starts after).
    fn last(&self) -> i64 {
        self.entries
            .back()
            .map_or(self.after, |(_, entry)| entry.id)
    }

    fn drop_oldest(&mut self) {
        if let Some((_, entry)) = self.entries.pop_front() {
            self.after = entry.id;
        }
    }
}

#[cfg(test)]
mod tests {
    use casting_core::audit::Changes;
    use casting_core::{AuditAction, Version};

    use super::*;

    fn entry(id: i64, resource: ResourceKind) -> AuditEntry {
        AuditEntry {
            id,
            at: chrono::DateTime::UNIX_EPOCH,
            subject: "s".into(),
            resource,
            resource_id: 1,
            action: AuditAction::Update,
            fields: Vec::new(),
            changes: Changes::default(),
            version: Version::FIRST,
        }
    }

    fn ids(page: Option<Vec<AuditEntry>>) -> Option<Vec<i64>> {
        page.map(|entries| entries.iter().map(|e| e.id).collect())
    }

    fn movies(range: std::ops::RangeInclusive<i64>) -> Vec<AuditEntry> {
        range.map(|id| entry(id, ResourceKind::Movie)).collect()
    }

    #[test]
    fn answers_only_what_it_holds_whole() {
        let now = Instant::now();
        let mut tail = Tail::default();
        tail.push(movies(11..=13), now);
        assert_eq!(ids(tail.page(10, None, 100, now)), Some(vec![11, 12, 13]));
        assert_eq!(ids(tail.page(11, None, 1, now)), Some(vec![12]));
        // Before the tail, or nothing after the cursor: the database answers.
        assert_eq!(ids(tail.page(9, None, 100, now)), None);
        assert_eq!(ids(tail.page(13, None, 100, now)), None);
        // A step that follows on extends it; one after a gap starts it afresh.
        tail.push(movies(14..=14), now);
        assert_eq!(
            ids(tail.page(10, None, 100, now)),
            Some(vec![11, 12, 13, 14])
        );
        tail.push(movies(20..=21), now);
        assert_eq!(ids(tail.page(14, None, 100, now)), None);
        assert_eq!(ids(tail.page(19, None, 100, now)), Some(vec![20, 21]));
    }

    #[test]
    fn filters_by_resource_and_gives_way_when_none_match() {
        let now = Instant::now();
        let mut tail = Tail::default();
        tail.push(
            vec![
                entry(1, ResourceKind::Movie),
                entry(2, ResourceKind::Actor),
                entry(3, ResourceKind::Movie),
            ],
            now,
        );
        let actors = Some(ResourceKind::Actor);
        assert_eq!(ids(tail.page(0, actors, 100, now)), Some(vec![2]));
        assert_eq!(ids(tail.page(2, actors, 100, now)), None);
    }

    #[test]
    fn stays_bounded_and_young() {
        let start = Instant::now();
        let mut tail = Tail::default();
        let count = i64::try_from(TAIL_MAX).unwrap() + 10;
        tail.push(movies(1..=count), start);
        assert_eq!(ids(tail.page(9, None, 1, start)), None);
        assert_eq!(ids(tail.page(10, None, 1, start)), Some(vec![11]));
        let later = start + TAIL_AGE + Duration::from_secs(1);
        assert_eq!(ids(tail.page(10, None, 1, later)), None);
    }
}
