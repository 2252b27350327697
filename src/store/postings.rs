//! Postings of the SQLite audit trail: for a stretch of the chain, one row holding, for each
//! user, event type and agent in it, the sequences that carry it. Rows are appended at the
//! end of their table, so posting a stretch writes a few pages, where per-event index entries
//! cost three B-tree updates per event at places scattered over whole indexes (and a page
//! write for each place). Small commits leave their events unposted (the tail) until the tail
//! is long enough to post at once; queries scan the tail directly.

use std::collections::HashMap;

use rusqlite::{params, Connection, Transaction};

/// The event fields with postings, numbered as the stored directory numbers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) enum Field {
    User = 0,
    Type = 1,
    Agent = 2,
}

/// Once this many events are unposted, the next append posts them all.
pub(super) const EVERY: u64 = 16_384;

/// An appended event as postings need it: sequence, timestamp, user, type and agent.
pub(super) type Fresh<'a> = (u64, &'a str, &'a str, &'a str, Option<&'a str>);

/// The last sequence the postings cover; later events are the tail.
pub(super) fn upto(conn: &Connection) -> rusqlite::Result<u64> {
    conn.query_row("SELECT upto FROM audit_posted", [], |r| r.get::<_, i64>(0))
        .map(|v| v as u64)
}

/// Post the tail, which starts after `upto`: the unposted events before `fresh` (read back
/// from the table, a stretch at a time) and `fresh`, the events this transaction appended,
/// in order.
pub(super) fn post(tx: &Transaction, mut upto: u64, fresh: &[Fresh<'_>]) -> rusqlite::Result<()> {
    let before = fresh.first().map_or(i64::MAX, |f| f.0 as i64);
    let mut read = tx.prepare_cached(
        "SELECT sequence, timestamp, user_id, event_type, agent_id FROM audit_events WHERE sequence > ?1 AND sequence < ?2 ORDER BY sequence LIMIT ?3",
    )?;
    loop {
        let older: Vec<(u64, String, String, String, Option<String>)> = read
            .query_map(params![upto as i64, before, EVERY as i64], |r| {
                Ok((
                    r.get::<_, i64>(0)? as u64,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let Some(last) = older.last().map(|o| o.0) else {
            break;
        };
        write(
            tx,
            older
                .iter()
                .map(|(s, t, u, ty, a)| (*s, t.as_str(), u.as_str(), ty.as_str(), a.as_deref())),
        )?;
        upto = last;
    }
    if let Some(last) = fresh.last().map(|f| f.0) {
        write(tx, fresh.iter().copied())?;
        upto = last;
    }
    tx.execute(
        "UPDATE audit_posted SET upto = max(upto, ?1)",
        [upto as i64],
    )?;
    Ok(())
}

/// Write one postings row for events given in increasing sequence order.
fn write<'a>(tx: &Transaction, events: impl Iterator<Item = Fresh<'a>>) -> rusqlite::Result<()> {
    struct List {
        last: u64,
        /// The first sequence as its distance from the stretch's first, then each later
        /// one as its distance from the one before, in LEB128.
        varints: Vec<u8>,
    }
    let mut lists: HashMap<(Field, &str), List> = HashMap::new();
    let (mut first, mut last) = (None, 0);
    let (mut min_ts, mut max_ts) = ("", "");
    for (seq, ts, user, event_type, agent) in events {
        let base = *first.get_or_insert(seq);
        if seq == base {
            (min_ts, max_ts) = (ts, ts);
        }
        last = seq;
        min_ts = min_ts.min(ts);
        max_ts = max_ts.max(ts);
        for (field, value) in [
            (Field::User, Some(user)),
            (Field::Type, Some(event_type)),
            (Field::Agent, agent),
        ] {
            let Some(value) = value else { continue };
            let l = lists.entry((field, value)).or_insert_with(|| List {
                last: base,
                varints: Vec::new(),
            });
            push_varint(&mut l.varints, seq - l.last);
            l.last = seq;
        }
    }
    let Some(first) = first else { return Ok(()) };
    let mut keys: Vec<_> = lists.into_iter().collect();
    keys.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    // The directory: the count of entries and the length of the values, the fixed-size
    // entries sorted by (field, value) for a binary search, the values, the lists.
    let mut values = Vec::new();
    let mut seqs = Vec::new();
    let mut dir = Vec::with_capacity(keys.len() * ENTRY);
    for ((field, value), list) in &keys {
        dir.push(*field as u8);
        dir.extend_from_slice(&(values.len() as u32).to_le_bytes());
        dir.extend_from_slice(&(value.len() as u32).to_le_bytes());
        dir.extend_from_slice(&(seqs.len() as u32).to_le_bytes());
        dir.extend_from_slice(&(list.varints.len() as u32).to_le_bytes());
        values.extend_from_slice(value.as_bytes());
        seqs.extend_from_slice(&list.varints);
    }
    let mut entries = std::mem::take(&mut dir);
    dir = Vec::with_capacity(HEADER + entries.len() + values.len() + seqs.len());
    dir.extend_from_slice(&(keys.len() as u32).to_le_bytes());
    dir.extend_from_slice(&(values.len() as u32).to_le_bytes());
    dir.append(&mut entries);
    dir.extend_from_slice(&values);
    dir.extend_from_slice(&seqs);
    tx.prepare_cached(
        "INSERT INTO audit_postings (first_seq, last_seq, min_ts, max_ts, directory) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![first as i64, last as i64, min_ts, max_ts, dir])?;
    Ok(())
}

/// Bytes of a directory's header: the count of entries and the length of the values.
const HEADER: usize = 8;

/// Bytes of one directory entry: field, value offset and length, list offset and length.
const ENTRY: usize = 1 + 4 * 4;

/// The list of `value` in `field` in a stored directory; None when the value is not there or the directory is malformed (an edited store).
fn find<'d>(dir: &'d [u8], field: Field, value: &[u8]) -> Option<&'d [u8]> {
    let u32_at = |at: usize| -> Option<usize> {
        Some(u32::from_le_bytes(dir.get(at..at + 4)?.try_into().ok()?) as usize)
    };
    let n = u32_at(0)?;
    let values_at = HEADER + n.checked_mul(ENTRY)?;
    let lists_at = values_at + u32_at(4)?;
    let entry = |i: usize| -> Option<(u8, &'d [u8], usize, usize)> {
        let at = HEADER + i * ENTRY;
        let f = *dir.get(at)?;
        let (v_off, v_len) = (u32_at(at + 1)?, u32_at(at + 5)?);
        let v = dir.get(values_at + v_off..values_at + v_off + v_len)?;
        Some((f, v, u32_at(at + 9)?, u32_at(at + 13)?))
    };
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = (lo + hi) / 2;
        let (f, v, l_off, l_len) = entry(mid)?;
        match (f, v).cmp(&(field as u8, value)) {
            std::cmp::Ordering::Less => lo = mid + 1,
            std::cmp::Ordering::Greater => hi = mid,
            std::cmp::Ordering::Equal => {
                return dir.get(lists_at + l_off..lists_at + l_off + l_len);
            }
        }
    }
    None
}

/// What a query asks of the postings beside the value: a time window and a sequence floor.
/// Stretches that cannot hold such an event are skipped whole; the events of the others are
/// checked one by one afterwards.
pub(super) struct Window<'q> {
    pub since: Option<&'q str>,
    pub until: Option<&'q str>,
    pub after: Option<u64>,
}

/// The sequences posted under `value` in `field`, in increasing order, from the stretches
/// that may hold events inside `w`.
pub(super) fn sequences(
    conn: &Connection,
    field: Field,
    value: &str,
    w: &Window<'_>,
) -> rusqlite::Result<Vec<u64>> {
    let mut stmt = conn.prepare_cached(
        // Bounds with no NULL in them and no ORDER BY, so that the time index narrows the
        // scan to the stretches in the window; the sequences are sorted below.
        "SELECT first_seq, directory FROM audit_postings WHERE max_ts >= coalesce(?1, '') AND min_ts < coalesce(?2, char(1114111)) AND last_seq > coalesce(?3, -1)",
    )?;
    let mut rows = stmt.query(params![w.since, w.until, w.after.map(|a| a as i64)])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let mut seq = r.get::<_, i64>(0)? as u64;
        let dir = r.get_ref(1)?.as_bytes().unwrap_or_default();
        let Some(mut list) = find(dir, field, value.as_bytes()) else {
            continue;
        };
        while let Some((gap, rest)) = read_varint(list) {
            seq = seq.saturating_add(gap);
            out.push(seq);
            list = rest;
        }
    }
    // Stretches come in time order, which is sequence order when events arrive in time
    // order; otherwise, and in an edited store, the lists need sorting for the intersection.
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

    /// A stretch's directory finds every value's sequences, and nothing for other values or
    /// for a directory cut short.
    #[test]
    fn a_stretch_finds_each_value() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE audit_postings (first_seq INTEGER PRIMARY KEY, last_seq INTEGER, min_ts TEXT, max_ts TEXT, directory BLOB)",
        )
        .unwrap();
        let users: Vec<String> = (0..300).map(|i| format!("user{i}")).collect();
        let events: Vec<Fresh> = (0..3000u64)
            .map(|i| {
                let agent = (i % 7 != 0).then_some(if i % 2 == 0 { "a-even" } else { "a-odd" });
                (
                    1000 + i,
                    "2026-01-01T00:00:00Z",
                    users[(i % 300) as usize].as_str(),
                    "execution",
                    agent,
                )
            })
            .collect();
        let tx = conn.unchecked_transaction().unwrap();
        write(&tx, events.iter().copied()).unwrap();
        tx.commit().unwrap();
        let all = Window {
            since: None,
            until: None,
            after: None,
        };
        let got = |f, v: &str| sequences(&conn, f, v, &all).unwrap();
        for u in [0, 1, 150, 299] {
            let want: Vec<u64> = (0..3000u64)
                .filter(|i| i % 300 == u)
                .map(|i| 1000 + i)
                .collect();
            assert_eq!(got(Field::User, &format!("user{u}")), want);
        }
        assert_eq!(got(Field::Type, "execution").len(), 3000);
        let odd: Vec<u64> = (0..3000u64)
            .filter(|i| i % 7 != 0 && i % 2 == 1)
            .map(|i| 1000 + i)
            .collect();
        assert_eq!(got(Field::Agent, "a-odd"), odd);
        assert!(got(Field::User, "user300").is_empty());
        assert!(got(Field::Agent, "user1").is_empty());
        let dir: Vec<u8> = conn
            .query_row("SELECT directory FROM audit_postings", [], |r| r.get(0))
            .unwrap();
        assert_eq!(find(&dir[..dir.len() / 2], Field::User, b"user299"), None);
    }
}
