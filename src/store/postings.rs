//! Postings of the SQLite audit trail: for a stretch of the chain, one row holding, for each
//! user, event type and agent in it, the sequences that carry it. Rows are appended at the
//! end of their table, so posting a stretch writes a few pages, where per-event index entries
//! cost three B-tree updates per event at places scattered over whole indexes (and a page
//! write for each place). Small commits leave their events unposted (the tail) until the tail
//! is long enough to post at once; queries scan the tail directly.

use std::collections::HashMap;

use rusqlite::{params, Connection};

/// The event fields with postings, numbered as the stored directory numbers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) enum Field {
    User = 0,
    Type = 1,
    Agent = 2,
}

/// Once this many events are unposted, the next append posts them all.
pub(super) const EVERY: u64 = 16_384;

/// The last sequence the postings cover; later events are the tail.
pub(super) fn upto(conn: &Connection) -> rusqlite::Result<u64> {
    conn.query_row("SELECT upto FROM audit_posted", [], |r| r.get::<_, i64>(0))
        .map(|v| v as u64)
}

/// Post the tail, which starts after `upto`: `gathered` when it holds the whole tail, else
/// the tail read back from the table, a stretch at a time (a writer that did not append all
/// of it, or a trail migrated from before postings).
pub(super) fn post(tx: &Connection, upto: u64, gathered: Option<Stretch>) -> rusqlite::Result<()> {
    let upto = match gathered {
        Some(stretch) => {
            stretch.write(tx)?;
            stretch.end()
        }
        None => read_back(tx, upto)?,
    };
    tx.execute(
        "UPDATE audit_posted SET upto = max(upto, ?1)",
        [upto as i64],
    )?;
    Ok(())
}

/// Post every event after `upto` from the table; the last sequence posted.
fn read_back(tx: &Connection, mut upto: u64) -> rusqlite::Result<u64> {
    let mut read = tx.prepare_cached(
        "SELECT sequence, timestamp, user_id, event_type, agent_id FROM audit_events WHERE sequence > ?1 ORDER BY sequence LIMIT ?2",
    )?;
    loop {
        let mut stretch = Stretch::after(upto);
        let mut rows = read.query(params![upto as i64, EVERY as i64])?;
        while let Some(r) = rows.next()? {
            stretch.add(
                r.get::<_, i64>(0)? as u64,
                r.get_ref(1)?.as_str()?,
                r.get_ref(2)?.as_str()?,
                r.get_ref(3)?.as_str()?,
                r.get_ref(4)?.as_str_or_null()?,
            );
        }
        drop(rows);
        if stretch.first.is_none() {
            return Ok(upto);
        }
        stretch.write(tx)?;
        upto = stretch.end();
    }
}

/// The sequences of one value in a stretch.
struct List {
    last: u64,
    /// The first sequence as its distance from the stretch's first, then each later one as
    /// its distance from the one before, in LEB128.
    varints: Vec<u8>,
}

/// The postings of a stretch of the chain, gathered event by event as it is appended, so
/// that posting it writes one row and reads nothing back.
pub(super) struct Stretch {
    /// The posted boundary the stretch continues.
    after: u64,
    first: Option<u64>,
    last: u64,
    min_ts: String,
    max_ts: String,
    /// Each value's list, for the fields in `Field` order.
    lists: [HashMap<String, List>; 3],
}

impl Stretch {
    /// An empty stretch starting after `after`.
    pub(super) fn after(after: u64) -> Stretch {
        Stretch {
            after,
            first: None,
            last: after,
            min_ts: String::new(),
            max_ts: String::new(),
            lists: Default::default(),
        }
    }

    /// The posted boundary this stretch continues.
    pub(super) fn start(&self) -> u64 {
        self.after
    }

    /// The last sequence in the stretch, or where it starts when empty.
    pub(super) fn end(&self) -> u64 {
        self.last
    }

    /// Add an event; sequences come in increasing order.
    pub(super) fn add(
        &mut self,
        seq: u64,
        ts: &str,
        user: &str,
        event_type: &str,
        agent: Option<&str>,
    ) {
        let base = *self.first.get_or_insert(seq);
        if seq == base || ts < self.min_ts.as_str() {
            ts.clone_into(&mut self.min_ts);
        }
        if seq == base || ts > self.max_ts.as_str() {
            ts.clone_into(&mut self.max_ts);
        }
        self.last = seq;
        for (lists, value) in self
            .lists
            .iter_mut()
            .zip([Some(user), Some(event_type), agent])
        {
            let Some(value) = value else { continue };
            let l = match lists.get_mut(value) {
                Some(l) => l,
                None => lists.entry(value.to_owned()).or_insert(List {
                    last: base,
                    varints: Vec::new(),
                }),
            };
            push_varint(&mut l.varints, seq - l.last);
            l.last = seq;
        }
    }

    /// Write the stretch's row; nothing when it is empty.
    fn write(&self, tx: &Connection) -> rusqlite::Result<()> {
        let Some(first) = self.first else {
            return Ok(());
        };
        let mut keys: Vec<(u8, &str, &List)> = Vec::new();
        for (field, lists) in [Field::User, Field::Type, Field::Agent]
            .into_iter()
            .zip(&self.lists)
        {
            keys.extend(lists.iter().map(|(v, l)| (field as u8, v.as_str(), l)));
        }
        keys.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        // The directory: the count of entries and the length of the values, the fixed-size
        // entries sorted by (field, value) for a binary search, the values, the lists.
        let values_len: usize = keys.iter().map(|k| k.1.len()).sum();
        let lists_len: usize = keys.iter().map(|k| k.2.varints.len()).sum();
        let mut dir = Vec::with_capacity(HEADER + keys.len() * ENTRY + values_len + lists_len);
        dir.extend_from_slice(&(keys.len() as u32).to_le_bytes());
        dir.extend_from_slice(&(values_len as u32).to_le_bytes());
        let (mut v_off, mut l_off) = (0, 0);
        for (field, value, list) in &keys {
            dir.push(*field);
            for n in [v_off, value.len(), l_off, list.varints.len()] {
                dir.extend_from_slice(&(n as u32).to_le_bytes());
            }
            v_off += value.len();
            l_off += list.varints.len();
        }
        for (_, value, _) in &keys {
            dir.extend_from_slice(value.as_bytes());
        }
        for (_, _, list) in &keys {
            dir.extend_from_slice(&list.varints);
        }
        tx.prepare_cached(
            "INSERT INTO audit_postings (first_seq, last_seq, min_ts, max_ts, directory) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![first as i64, self.last as i64, self.min_ts, self.max_ts, dir])?;
        Ok(())
    }
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
        let mut stretch = Stretch::after(999);
        for i in 0..3000u64 {
            let agent = (i % 7 != 0).then_some(if i % 2 == 0 { "a-even" } else { "a-odd" });
            stretch.add(
                1000 + i,
                "2026-01-01T00:00:00Z",
                &users[(i % 300) as usize],
                "execution",
                agent,
            );
        }
        assert_eq!((stretch.start(), stretch.end()), (999, 3999));
        let tx = conn.unchecked_transaction().unwrap();
        stretch.write(&tx).unwrap();
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
