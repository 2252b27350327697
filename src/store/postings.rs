//! Postings of the SQLite audit trail: per batch, for each user, event type and agent in it,
//! one row listing the sequences that carry it. A row per value and batch costs a batch a few
//! hundred inserts where per-event index entries cost it three B-tree updates per event, at
//! places scattered over the whole index.

use std::collections::hash_map::{Entry, HashMap};

use rusqlite::{params, Connection, Transaction};

/// The event fields with postings, numbered as `audit_postings.field` stores them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Field {
    User = 0,
    Type = 1,
    Agent = 2,
}

/// The postings of one batch being appended.
#[derive(Default)]
pub(super) struct Batch<'a> {
    lists: HashMap<(Field, &'a str), List<'a>>,
}

struct List<'a> {
    first: u64,
    last: u64,
    min_ts: &'a str,
    max_ts: &'a str,
    /// Each later sequence as its distance from the one before, in LEB128.
    gaps: Vec<u8>,
}

impl<'a> Batch<'a> {
    /// Post the event at `seq` (appended in increasing order) under each of its values.
    pub fn add(&mut self, seq: u64, ts: &'a str, values: [(Field, Option<&'a str>); 3]) {
        for (field, value) in values {
            let Some(value) = value else { continue };
            match self.lists.entry((field, value)) {
                Entry::Occupied(mut o) => {
                    let l = o.get_mut();
                    push_varint(&mut l.gaps, seq - l.last);
                    l.last = seq;
                    l.min_ts = l.min_ts.min(ts);
                    l.max_ts = l.max_ts.max(ts);
                }
                Entry::Vacant(v) => {
                    v.insert(List {
                        first: seq,
                        last: seq,
                        min_ts: ts,
                        max_ts: ts,
                        gaps: Vec::new(),
                    });
                }
            }
        }
    }

    pub fn write(&self, tx: &Transaction) -> rusqlite::Result<()> {
        let mut insert = tx.prepare_cached(
            "INSERT INTO audit_postings (field, value, first_seq, last_seq, min_ts, max_ts, gaps) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for ((field, value), l) in &self.lists {
            insert.execute(params![
                *field as u8,
                value,
                l.first as i64,
                l.last as i64,
                l.min_ts,
                l.max_ts,
                l.gaps
            ])?;
        }
        Ok(())
    }
}

/// What a query asks of the postings beside the value: a time window and a sequence floor.
/// Postings that cannot hold such an event are skipped whole; the events of the others are
/// checked one by one afterwards.
pub(super) struct Window<'q> {
    pub since: Option<&'q str>,
    pub until: Option<&'q str>,
    pub after: Option<u64>,
}

/// The sequences posted under `value` in `field`, in increasing order, from the postings
/// that may hold events inside `w`.
pub(super) fn sequences(
    conn: &Connection,
    field: Field,
    value: &str,
    w: &Window<'_>,
) -> rusqlite::Result<Vec<u64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT first_seq, gaps FROM audit_postings WHERE field = ?1 AND value = ?2 AND (?3 IS NULL OR max_ts >= ?3) AND (?4 IS NULL OR min_ts < ?4) AND (?5 IS NULL OR last_seq > ?5) ORDER BY first_seq",
    )?;
    let mut rows = stmt.query(params![
        field as u8,
        value,
        w.since,
        w.until,
        w.after.map(|a| a as i64)
    ])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let mut seq = r.get::<_, i64>(0)? as u64;
        out.push(seq);
        let mut gaps = r.get_ref(1)?.as_bytes().unwrap_or_default();
        while let Some((gap, rest)) = read_varint(gaps) {
            seq = seq.saturating_add(gap);
            out.push(seq);
            gaps = rest;
        }
    }
    // Batches append increasing sequences, so rows in first_seq order are already sorted;
    // an edited store may not be, and intersecting needs them sorted.
    if !out.is_sorted() {
        out.sort_unstable();
    }
    out.dedup();
    Ok(out)
}

/// The sequences in both sorted lists.
pub(super) fn intersect(a: &[u64], b: &[u64]) -> Vec<u64> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

fn push_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// One LEB128 value and the bytes after it; None at the end or on a malformed value.
fn read_varint(bytes: &[u8]) -> Option<(u64, &[u8])> {
    let mut v = 0u64;
    for (i, b) in bytes.iter().enumerate().take(10) {
        v |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some((v, &bytes[i + 1..]));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip() {
        let values = [
            0,
            1,
            127,
            128,
            300,
            16_383,
            16_384,
            u32::MAX as u64,
            u64::MAX,
        ];
        let mut buf = Vec::new();
        for v in values {
            push_varint(&mut buf, v);
        }
        let mut rest = &buf[..];
        for v in values {
            let (got, r) = read_varint(rest).unwrap();
            assert_eq!(got, v);
            rest = r;
        }
        assert!(rest.is_empty());
        assert_eq!(read_varint(&[0x80, 0x80]), None);
    }

    #[test]
    fn intersects_sorted_lists() {
        assert_eq!(intersect(&[1, 3, 5, 7, 9], &[2, 3, 4, 9, 10]), vec![3, 9]);
        assert!(intersect(&[1, 2], &[]).is_empty());
    }
}
