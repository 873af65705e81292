//! Sorted range tables: the start of every run of addresses with one value, binary-searched.
//!
//! A table keeps only boundaries: `starts[i]` is the first address of a run whose value is
//! `values[i]` (`None` for a gap the files do not cover), up to the next start. Adjacent ranges
//! with the same value are one run, so a table is smaller than the file it came from.

use std::num::{NonZeroU16, NonZeroU32};

/// An address as a number: `u32` for IPv4, `u128` for IPv6.
pub(crate) trait Key: Copy + Ord {
    /// The address after this one, `None` for the last address.
    fn next(self) -> Option<Self>;
}

impl Key for u32 {
    fn next(self) -> Option<Self> {
        self.checked_add(1)
    }
}

impl Key for u128 {
    fn next(self) -> Option<Self> {
        self.checked_add(1)
    }
}

/// A stored value: non-zero, so `Option<V>` costs no more than `V`.
pub(crate) trait Value: Copy + Eq {}

impl Value for NonZeroU16 {}
impl Value for NonZeroU32 {}

/// Where a range came from: the index of its file among those loaded, and its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// Two ranges covering the same address: the earlier (by start) and the later one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Overlap {
    pub first: Origin,
    pub second: Origin,
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
    /// Builds the table from ranges in any order; ranges may not overlap.
    pub fn build(mut ranges: Vec<Range<K, V>>) -> Result<Self, Overlap> {
        ranges.sort_by_key(|range| range.start);
        let mut table = Table::default();
        let mut previous: Option<&Range<K, V>> = None;
        for range in &ranges {
            if let Some(before) = previous
                && range.start <= before.end
            {
                return Err(Overlap {
                    first: before.origin,
                    second: range.origin,
                });
            }
            table.push(range.start, Some(range.value));
            if let Some(after) = range.end.next() {
                table.push(after, None);
            }
            previous = Some(range);
        }
        table.starts.shrink_to_fit();
        table.values.shrink_to_fit();
        Ok(table)
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
        ])
        .unwrap();
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
        let table = Table::build(vec![range(0, u32::MAX, 5, 1)]).unwrap();
        assert_eq!(table.runs(), 1);
        assert_eq!(get(&table, 0), Some(5));
        assert_eq!(get(&table, u32::MAX), Some(5));
    }

    #[test]
    fn overlapping_ranges_name_both_lines() {
        let overlap = Table::build(vec![range(10, 20, 1, 1), range(20, 30, 2, 2)]).unwrap_err();
        assert_eq!(overlap.first.line, 1);
        assert_eq!(overlap.second.line, 2);
    }

    #[test]
    fn an_empty_table_knows_nothing() {
        let table: Table<u32, NonZeroU32> = Table::build(Vec::new()).unwrap();
        assert_eq!(table.runs(), 0);
        assert_eq!(get(&table, 0), None);
    }
}
