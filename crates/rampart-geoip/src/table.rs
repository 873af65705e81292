//! Sorted range tables: the start of every run of addresses with one value, binary-searched.
//!
//! A table keeps only boundaries: `starts[i]` is the first address of a run whose value is
//! `values[i]` (`None` for a gap the files do not cover), up to the next start. Adjacent ranges
//! with the same value are one run, so a table is smaller than the file it came from.
//!
//! Overlapping ranges (ip-location-db nests geofeed ranges inside registry ones, e.g.
//! 2.58.197.15 BE inside 2.58.196.0–2.58.197.255 DE) are resolved: the narrower range wins
//! where they overlap; of two equally wide ranges, the later line (or file).

use std::collections::BTreeMap;
use std::num::{NonZeroU16, NonZeroU32};

/// An address as a number: `u32` for IPv4, `u128` for IPv6.
pub(crate) trait Key: Copy + Ord {
    /// The address after this one, `None` for the last address.
    fn next(self) -> Option<Self>;
    /// How many addresses after `self` up to `end`.
    fn span(self, end: Self) -> u128;
}

impl Key for u32 {
    fn next(self) -> Option<Self> {
        self.checked_add(1)
    }
    fn span(self, end: Self) -> u128 {
        u128::from(end.saturating_sub(self))
    }
}

impl Key for u128 {
    fn next(self) -> Option<Self> {
        self.checked_add(1)
    }
    fn span(self, end: Self) -> u128 {
        end.saturating_sub(self)
    }
}

/// A stored value: non-zero, so `Option<V>` costs no more than `V`.
pub(crate) trait Value: Copy + Eq {}

impl Value for NonZeroU16 {}
impl Value for NonZeroU32 {}

/// Where a range came from: the index of its file among those loaded, and its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Origin {
    pub file: usize,
    pub line: usize,
}

/// One inclusive range of a file, before the table is built.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Range<K, V> {
    pub start: K,
    pub end: K,
    pub value: V,
    pub origin: Origin,
}

/// Run starts and their values, sorted by start.
#[derive(Debug, Clone)]
pub(crate) struct Table<K, V> {
    starts: Vec<K>,
    values: Vec<Option<V>>,
}

impl<K, V> Default for Table<K, V> {
    fn default() -> Self {
        Table {
            starts: Vec::new(),
            values: Vec::new(),
        }
    }
}

impl<K: Key, V: Value> Table<K, V> {
    /// Builds the table from ranges in any order.
    pub fn build(mut ranges: Vec<Range<K, V>>) -> Self {
        ranges.sort_by_key(|range| range.start);
        let disjoint = ranges.windows(2).all(|pair| pair[0].end < pair[1].start);
        let mut table = if disjoint {
            Table::disjoint(&ranges)
        } else {
            Table::painted(ranges)
        };
        table.starts.shrink_to_fit();
        table.values.shrink_to_fit();
        table
    }

    /// Ranges sorted by start that do not overlap.
    fn disjoint(ranges: &[Range<K, V>]) -> Self {
        let mut table = Table::default();
        for range in ranges {
            table.push(range.start, Some(range.value));
            if let Some(after) = range.end.next() {
                table.push(after, None);
            }
        }
        table
    }

    /// Overlapping ranges painted widest first, so narrower (then later) ranges cover them.
    fn painted(mut ranges: Vec<Range<K, V>>) -> Self {
        ranges.sort_by(|a, b| {
            let (wide_a, wide_b) = (a.start.span(a.end), b.start.span(b.end));
            wide_b.cmp(&wide_a).then(a.origin.cmp(&b.origin))
        });
        let mut runs: BTreeMap<K, Option<V>> = BTreeMap::new();
        for range in &ranges {
            let after = range.end.next().map(|key| (key, value_at(&runs, key)));
            let covered: Vec<K> = runs
                .range(range.start..=range.end)
                .map(|(k, _)| *k)
                .collect();
            for key in covered {
                runs.remove(&key);
            }
            runs.insert(range.start, Some(range.value));
            if let Some((key, value)) = after {
                runs.insert(key, value);
            }
        }
        let mut table = Table::default();
        for (start, value) in runs {
            table.push(start, value);
        }
        table
    }

    /// Appends a run starting at `start` (never before the last one), replacing a run that
    /// starts at the same address and merging with the run before when the values agree.
    fn push(&mut self, start: K, value: Option<V>) {
        if self.starts.last() == Some(&start) {
            self.starts.pop();
            self.values.pop();
        }
        let same_as_before = match self.values.last() {
            Some(last) => *last == value,
            None => value.is_none(),
        };
        if !same_as_before {
            self.starts.push(start);
            self.values.push(value);
        }
    }

    /// The value of the run holding `key`.
    pub fn get(&self, key: K) -> Option<V> {
        let after = self.starts.partition_point(|start| *start <= key);
        let index = after.checked_sub(1)?;
        self.values.get(index).copied().flatten()
    }

    /// How many runs (including gaps) the table holds.
    pub fn runs(&self) -> usize {
        self.starts.len()
    }

    /// The bytes the table's vectors hold.
    pub fn heap_bytes(&self) -> usize {
        self.starts.capacity() * size_of::<K>() + self.values.capacity() * size_of::<Option<V>>()
    }
}

/// The value of the run holding `key` in a map of run starts.
fn value_at<K: Key, V: Value>(runs: &BTreeMap<K, Option<V>>, key: K) -> Option<V> {
    runs.range(..=key).next_back().and_then(|(_, value)| *value)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn range(start: u32, end: u32, value: u32, line: usize) -> Range<u32, NonZeroU32> {
        Range {
            start,
            end,
            value: NonZeroU32::new(value).unwrap(),
            origin: Origin { file: 0, line },
        }
    }

    fn get(table: &Table<u32, NonZeroU32>, key: u32) -> Option<u32> {
        table.get(key).map(NonZeroU32::get)
    }

    #[test]
    fn adjacent_equal_ranges_merge_and_gaps_answer_nothing() {
        let table = Table::build(vec![
            range(20, 29, 7, 3),
            range(10, 19, 7, 2),
            range(40, 40, 8, 4),
        ]);
        assert_eq!(table.runs(), 4); // 10: 7, 30: gap, 40: 8, 41: gap
        assert_eq!(get(&table, 9), None);
        assert_eq!(get(&table, 10), Some(7));
        assert_eq!(get(&table, 29), Some(7));
        assert_eq!(get(&table, 30), None);
        assert_eq!(get(&table, 39), None);
        assert_eq!(get(&table, 40), Some(8));
        assert_eq!(get(&table, 41), None);
        assert_eq!(get(&table, u32::MAX), None);
    }

    #[test]
    fn a_range_up_to_the_last_address_needs_no_closing_gap() {
        let table = Table::build(vec![range(0, u32::MAX, 5, 1)]);
        assert_eq!(table.runs(), 1);
        assert_eq!(get(&table, 0), Some(5));
        assert_eq!(get(&table, u32::MAX), Some(5));
    }

    #[test]
    fn the_narrower_range_wins_where_ranges_overlap() {
        // 150 nested in 100-199; 190-250 (61 addresses) overlaps the end of 100-199 (100).
        let table = Table::build(vec![
            range(100, 199, 1, 1),
            range(150, 150, 2, 2),
            range(190, 250, 3, 3),
            range(300, 310, 4, 4),
        ]);
        let want = [
            (99, None),
            (100, Some(1)),
            (149, Some(1)),
            (150, Some(2)),
            (151, Some(1)),
            (189, Some(1)),
            (190, Some(3)),
            (199, Some(3)),
            (250, Some(3)),
            (251, None),
            (300, Some(4)),
            (310, Some(4)),
            (311, None),
        ];
        for (key, value) in want {
            assert_eq!(get(&table, key), value, "{key}");
        }
    }

    #[test]
    fn of_equally_wide_ranges_the_later_line_wins() {
        let table = Table::build(vec![range(10, 19, 2, 2), range(10, 19, 1, 1)]);
        assert_eq!(get(&table, 10), Some(2));
        assert_eq!(get(&table, 19), Some(2));
        assert_eq!(get(&table, 20), None);
        let edge = Table::build(vec![
            range(0, u32::MAX, 1, 1),
            range(u32::MAX, u32::MAX, 2, 2),
        ]);
        assert_eq!(get(&edge, u32::MAX - 1), Some(1));
        assert_eq!(get(&edge, u32::MAX), Some(2));
    }

    /// Random overlapping ranges against a scan: the narrowest range holding the key, the
    /// later line among equally narrow ones.
    #[test]
    fn random_overlaps_agree_with_a_scan() {
        let mut rng = fastrand::Rng::with_seed(42);
        for _ in 0..500 {
            let ranges: Vec<_> = (0..rng.usize(1..12))
                .map(|line| {
                    let start = rng.u32(0..60);
                    range(start, start + rng.u32(0..20), rng.u32(1..4), line)
                })
                .collect();
            let table = Table::build(ranges.clone());
            for key in 0..90 {
                let want = ranges
                    .iter()
                    .filter(|r| r.start <= key && key <= r.end)
                    .min_by_key(|r| (r.end - r.start, std::cmp::Reverse(r.origin)))
                    .map(|r| r.value.get());
                assert_eq!(get(&table, key), want, "{key} in {ranges:?}");
            }
        }
    }

    #[test]
    fn an_empty_table_knows_nothing() {
        let table: Table<u32, NonZeroU32> = Table::build(Vec::new());
        assert_eq!(table.runs(), 0);
        assert_eq!(get(&table, 0), None);
    }
}
