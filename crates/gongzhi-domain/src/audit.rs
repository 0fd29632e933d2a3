//! The audit chain. Every command appends one event to the chain of the jurisdiction that owns
//! what it changed. An event's hash is SHA-256 over the canonical encoding below, which covers
//! every stored column except the hash itself, including the previous event's hash: change any
//! byte of any event and every later hash in that chain stops matching.
//!
//! Canonical encoding, version 1 (documented in ARCHITECTURE.md, with the test vector below):
//! the 8 ASCII bytes `GZAUDIT1`, then each field in this order as a 4-byte big-endian length
//! followed by its UTF-8 bytes:
//! `tenant_id, seq, event_id, occurred_at, actor_id, on_behalf_of, channel, command, payload, prev_hash`.
//! Ids are lowercase hyphenated UUIDs, absent ids are empty, numbers are decimal, `payload` is the
//! stored JSON text byte for byte, and `prev_hash` is 64 lowercase hex digits (all zeros for the
//! first event of a chain).

use sha2::{Digest, Sha256};

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The hashed fields of one event, borrowed.
#[derive(Debug, Clone, Copy)]
pub struct EventFields<'a> {
    pub tenant_id: &'a str,
    pub seq: i64,
    pub event_id: &'a str,
    pub occurred_at: i64,
    pub actor_id: &'a str,
    pub on_behalf_of: &'a str,
    pub channel: &'a str,
    pub command: &'a str,
    pub payload: &'a str,
    pub prev_hash: &'a str,
}

impl EventFields<'_> {
    /// Writes the canonical encoding into `out` (cleared first), so a verifier can reuse one buffer.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        out.clear();
        out.extend_from_slice(b"GZAUDIT1");
        let mut num = itoa_buf();
        let fields: [&[u8]; 10] = [
            self.tenant_id.as_bytes(),
            fmt_i64(&mut num.0, self.seq),
            self.event_id.as_bytes(),
            fmt_i64(&mut num.1, self.occurred_at),
            self.actor_id.as_bytes(),
            self.on_behalf_of.as_bytes(),
            self.channel.as_bytes(),
            self.command.as_bytes(),
            self.payload.as_bytes(),
            self.prev_hash.as_bytes(),
        ];
        for f in fields {
            let len = u32::try_from(f.len()).unwrap_or(u32::MAX);
            out.extend_from_slice(&len.to_be_bytes());
            out.extend_from_slice(f);
        }
    }

    pub fn hash(&self) -> String {
        let mut buf = Vec::with_capacity(256 + self.payload.len());
        self.encode_into(&mut buf);
        hash_bytes(&buf)
    }
}

pub fn hash_bytes(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn itoa_buf() -> ([u8; 20], [u8; 20]) {
    ([0; 20], [0; 20])
}

/// Formats an i64 in decimal into a stack buffer without allocating.
fn fmt_i64(buf: &mut [u8; 20], value: i64) -> &[u8] {
    let negative = value < 0;
    let mut n = value.unsigned_abs();
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + u8::try_from(n % 10).unwrap_or(0);
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if negative {
        // i64::MIN has 19 digits, so there is always room for the sign.
        i -= 1;
        buf[i] = b'-';
    }
    &buf[i..]
}

/// How a chain head is shown on pages and printed notices: sequence number and 16 hex digits.
pub fn short_head(seq: i64, hash: &str) -> String {
    format!("#{seq} {}", &hash[..hash.len().min(16)])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vector() -> EventFields<'static> {
        EventFields {
            tenant_id: "0190f3a0-0000-7000-8000-000000000001",
            seq: 1,
            event_id: "0190f3a0-0000-7000-8000-0000000000e1",
            occurred_at: 1_795_276_800_000_000,
            actor_id: "",
            on_behalf_of: "",
            channel: "online",
            command: "jurisdiction.create",
            payload: r#"{"writes":[]}"#,
            prev_hash: GENESIS,
        }
    }

    /// The published test vector: any other implementation of the encoding must give this hash.
    #[test]
    fn test_vector() {
        let mut buf = Vec::new();
        vector().encode_into(&mut buf);
        assert_eq!(&buf[..12], b"GZAUDIT1\0\0\0\x24");
        assert_eq!(
            vector().hash(),
            include_str!("audit_test_vector.txt").trim()
        );
    }

    #[test]
    fn every_field_is_covered() {
        let base = vector().hash();
        let changed = [
            EventFields { seq: 2, ..vector() },
            EventFields {
                occurred_at: 1,
                ..vector()
            },
            EventFields {
                actor_id: "x",
                ..vector()
            },
            EventFields {
                on_behalf_of: "x",
                ..vector()
            },
            EventFields {
                channel: "paper",
                ..vector()
            },
            EventFields {
                command: "x",
                ..vector()
            },
            EventFields {
                payload: "{}",
                ..vector()
            },
            EventFields {
                prev_hash: "1",
                ..vector()
            },
            EventFields {
                tenant_id: "x",
                ..vector()
            },
            EventFields {
                event_id: "x",
                ..vector()
            },
            // Moving a byte between adjacent fields changes the hash: lengths are encoded.
            EventFields {
                channel: "onlin",
                command: "ejurisdiction.create",
                ..vector()
            },
        ];
        for c in changed {
            assert_ne!(c.hash(), base, "{c:?}");
        }
    }

    #[test]
    fn formats_numbers() {
        let mut b = [0u8; 20];
        assert_eq!(fmt_i64(&mut b, 0), b"0");
        assert_eq!(fmt_i64(&mut b, -42), b"-42");
        assert_eq!(fmt_i64(&mut b, i64::MIN), i64::MIN.to_string().as_bytes());
        assert_eq!(short_head(12, GENESIS), "#12 0000000000000000");
    }
}
