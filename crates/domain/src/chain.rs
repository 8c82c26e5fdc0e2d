//! The hash chain of events: canonical bytes and the hash over them.

use serde_json::Value;
use sha2::{Digest, Sha256 as Hasher};

use crate::types::Sha256;

/// The `prev_hash` of a chain's first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields of one event that its hash covers.
#[derive(Debug, Clone, PartialEq)]
pub struct EventBody<'a> {
    pub stream: &'a str,
    pub seq: i64,
    /// Milliseconds since the Unix epoch.
    pub at_ms: i64,
    pub actor: &'a str,
    pub kind: &'a str,
    pub data: &'a Value,
    pub prev_hash: &'a str,
}

/// Writes JSON with object keys sorted and no insignificant whitespace, so equal values hash
/// equally whatever order their keys were built in.
pub fn canonical_json(v: &Value, out: &mut String) {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String((*k).clone()).to_string());
                out.push(':');
                canonical_json(&m[*k], out);
            }
            out.push('}');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical_json(x, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// SHA-256 over the canonical form of the event, `prev_hash` included: the link of the chain.
pub fn event_hash(e: &EventBody<'_>) -> Sha256 {
    let v = serde_json::json!({
        "stream": e.stream,
        "seq": e.seq,
        "at": e.at_ms,
        "actor": e.actor,
        "kind": e.kind,
        "data": e.data,
        "prev_hash": e.prev_hash,
    });
    let mut s = String::with_capacity(256);
    canonical_json(&v, &mut s);
    Sha256::from_digest(Hasher::digest(s.as_bytes()).into())
}

/// Follows one stream's chain event by event, as `audit verify` and a bundle's verifier both
/// read it: the one place that says whether an event links to the one before.
#[derive(Debug, Clone)]
pub struct Walk {
    stream: String,
    seq: i64,
    head: String,
}

/// Why an event does not link to its chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Break {
    /// The event names another stream than the chain it was found in.
    Stream { expected: String },
    /// A seq is missing or repeated.
    Gap { expected: i64 },
    /// `prev_hash` is not the previous event's hash.
    Prev,
    /// The event's content does not hash to its `hash`.
    Altered,
}

impl Break {
    pub fn zh(&self) -> String {
        match self {
            Break::Stream { expected } => format!("事件不属于事件流 {expected}"),
            Break::Gap { expected } => format!("应为序号 {expected}：事件链有缺失"),
            Break::Prev => "prev_hash 与上一事件的哈希不符".to_owned(),
            Break::Altered => "哈希与事件内容不符：记录被篡改".to_owned(),
        }
    }

    pub fn en(&self) -> String {
        match self {
            Break::Stream { expected } => format!("the event is not of stream {expected}"),
            Break::Gap { expected } => format!("expected seq {expected}; the chain has a gap"),
            Break::Prev => "prev_hash does not match the previous event's hash".to_owned(),
            Break::Altered => {
                "hash does not match the event's content; the record was altered".to_owned()
            }
        }
    }
}

impl Walk {
    /// A walk of `stream` from its first event.
    pub fn new(stream: &str) -> Self {
        Walk {
            stream: stream.to_owned(),
            seq: 0,
            head: GENESIS.to_owned(),
        }
    }

    /// Checks the next event and its stated `hash`; on success it becomes the head.
    pub fn next(&mut self, e: &EventBody<'_>, hash: &str) -> Result<(), Break> {
        if e.stream != self.stream {
            return Err(Break::Stream {
                expected: self.stream.clone(),
            });
        }
        if e.seq != self.seq + 1 {
            return Err(Break::Gap {
                expected: self.seq + 1,
            });
        }
        if e.prev_hash != self.head {
            return Err(Break::Prev);
        }
        if event_hash(e).as_str() != hash {
            return Err(Break::Altered);
        }
        self.seq = e.seq;
        self.head = hash.to_owned();
        Ok(())
    }

    pub fn stream(&self) -> &str {
        &self.stream
    }

    /// The last seq checked (0 before any) and its hash.
    pub fn head(&self) -> (i64, &str) {
        (self.seq, &self.head)
    }
}

/// The complaint state an event records it moved to (its `to`), if it records one: what a
/// complaint row must agree with at its chain's end.
pub fn state_after(data: &Value) -> Option<&str> {
    data.get("to").and_then(Value::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn key_order_does_not_matter() {
        let mut a = String::new();
        let mut b = String::new();
        canonical_json(&json!({"b": 1, "a": [1, {"y": "中", "x": null}]}), &mut a);
        let mut m = serde_json::Map::new();
        m.insert("a".into(), json!([1, {"x": null, "y": "中"}]));
        m.insert("b".into(), json!(1));
        canonical_json(&Value::Object(m), &mut b);
        assert_eq!(a, b);
        assert_eq!(a, r#"{"a":[1,{"x":null,"y":"中"}],"b":1}"#);
    }

    #[test]
    fn hash_covers_every_field() {
        let data = json!({"k": 1});
        let base = EventBody {
            stream: "complaint:1",
            seq: 1,
            at_ms: 5,
            actor: "user:1",
            kind: "filed",
            data: &data,
            prev_hash: GENESIS,
        };
        let h = event_hash(&base);
        let other = json!({"k": 2});
        for changed in [
            EventBody {
                seq: 2,
                ..base.clone()
            },
            EventBody {
                at_ms: 6,
                ..base.clone()
            },
            EventBody {
                actor: "user:2",
                ..base.clone()
            },
            EventBody {
                kind: "x",
                ..base.clone()
            },
            EventBody {
                data: &other,
                ..base.clone()
            },
            EventBody {
                stream: "complaint:2",
                ..base.clone()
            },
            EventBody {
                prev_hash: "1",
                ..base.clone()
            },
        ] {
            assert_ne!(event_hash(&changed), h);
        }
    }

    #[test]
    fn hash_survives_storing_and_reading_floats() {
        // Stored as text and parsed back, as `audit verify` does: every f64 must come back
        // bit for bit, or an honest record reads as altered.
        let mut x = 0.1_f64;
        for i in 0..2000 {
            x = x * 1.618_033_988_749_895 + f64::from(i) / 7.0;
            if x > 1e9 {
                x /= 1e9;
            }
            let data = json!({"lift": x, "score": 1.0 / x});
            let body = EventBody {
                stream: "case:1",
                seq: 1,
                at_ms: 5,
                actor: "system",
                kind: "opened",
                data: &data,
                prev_hash: GENESIS,
            };
            let read: Value = serde_json::from_str(&data.to_string()).unwrap();
            let again = EventBody {
                data: &read,
                ..body.clone()
            };
            assert_eq!(event_hash(&again), event_hash(&body), "{x}");
        }
    }

    #[test]
    fn a_walk_names_what_breaks() {
        let data = json!({"k": 1});
        let first = EventBody {
            stream: "complaint:1",
            seq: 1,
            at_ms: 5,
            actor: "user:1",
            kind: "filed",
            data: &data,
            prev_hash: GENESIS,
        };
        let h1 = event_hash(&first);
        let second = EventBody {
            seq: 2,
            prev_hash: h1.as_str(),
            ..first.clone()
        };
        let h2 = event_hash(&second);
        let mut w = Walk::new("complaint:1");
        w.next(&first, h1.as_str()).unwrap();
        w.next(&second, h2.as_str()).unwrap();
        assert_eq!(w.head(), (2, h2.as_str()));

        let mut w = Walk::new("complaint:1");
        assert_eq!(
            w.next(&second, h2.as_str()),
            Err(Break::Gap { expected: 1 })
        );
        assert_eq!(
            Walk::new("complaint:2").next(&first, h1.as_str()),
            Err(Break::Stream {
                expected: "complaint:2".into()
            })
        );
        let mut w = Walk::new("complaint:1");
        w.next(&first, h1.as_str()).unwrap();
        let unlinked = EventBody {
            prev_hash: GENESIS,
            ..second.clone()
        };
        assert_eq!(w.next(&unlinked, h2.as_str()), Err(Break::Prev));
        let other = json!({"k": 2});
        let altered = EventBody {
            data: &other,
            ..second.clone()
        };
        assert_eq!(w.next(&altered, h2.as_str()), Err(Break::Altered));
        // A failed event does not move the head.
        assert_eq!(w.head(), (1, h1.as_str()));
    }
}
