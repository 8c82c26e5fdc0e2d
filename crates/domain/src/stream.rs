//! The names of the event chains' streams, formatted and read back here only: the name is part
//! of every event's hash, so its spelling must never change.

use std::fmt;
use std::str::FromStr;

use crate::error::DomainError;
use crate::types::*;

/// A stream: the thing whose events a chain records. A penalty has no chain of its own; its
/// name is the subject of its deadline.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Stream {
    Complaint(ComplaintId),
    Case(CaseId),
    Report(ReportId),
    Shop(ShopId),
    Account(UserId),
    Order(OrderNo),
    Penalty(PenaltyId),
    /// A public jury's panel: its draw, votes and verdict.
    Jury(JuryId),
}

impl Stream {
    /// The prefix before the `:`.
    pub fn kind(&self) -> &'static str {
        match self {
            Stream::Complaint(_) => "complaint",
            Stream::Case(_) => "case",
            Stream::Report(_) => "report",
            Stream::Shop(_) => "shop",
            Stream::Account(_) => "account",
            Stream::Order(_) => "order",
            Stream::Penalty(_) => "penalty",
            Stream::Jury(_) => "jury",
        }
    }

    pub fn parse(s: &str) -> Result<Stream, DomainError> {
        let bad = || {
            DomainError::invalid(
                "stream",
                format!("无法识别的事件流名称“{s}”"),
                format!("unknown stream name {s:?}"),
            )
        };
        let (kind, id) = s.split_once(':').ok_or_else(bad)?;
        let int = || id.parse::<i64>().map_err(|_| bad());
        Ok(match kind {
            "complaint" => Stream::Complaint(ComplaintId(int()?)),
            "case" => Stream::Case(CaseId(int()?)),
            "report" => Stream::Report(ReportId(int()?)),
            "account" => Stream::Account(UserId(int()?)),
            "penalty" => Stream::Penalty(PenaltyId(int()?)),
            "jury" => Stream::Jury(JuryId(int()?)),
            "shop" => Stream::Shop(ShopId::parse(id).map_err(|_| bad())?),
            "order" => Stream::Order(OrderNo::parse(id).map_err(|_| bad())?),
            _ => return Err(bad()),
        })
    }
}

impl fmt::Display for Stream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = self.kind();
        match self {
            Stream::Complaint(id) => write!(f, "{kind}:{id}"),
            Stream::Case(id) => write!(f, "{kind}:{id}"),
            Stream::Report(id) => write!(f, "{kind}:{id}"),
            Stream::Shop(id) => write!(f, "{kind}:{id}"),
            Stream::Account(id) => write!(f, "{kind}:{id}"),
            Stream::Order(no) => write!(f, "{kind}:{no}"),
            Stream::Penalty(id) => write!(f, "{kind}:{id}"),
            Stream::Jury(id) => write!(f, "{kind}:{id}"),
        }
    }
}

impl FromStr for Stream {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Stream, DomainError> {
        Stream::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stream_reads_back_as_written() {
        let cases = [
            (Stream::Complaint(ComplaintId(7)), "complaint:7"),
            (Stream::Case(CaseId(12)), "case:12"),
            (Stream::Report(ReportId(3)), "report:3"),
            (
                Stream::Shop(ShopId::parse("shop-a_1").unwrap()),
                "shop:shop-a_1",
            ),
            (Stream::Account(UserId(42)), "account:42"),
            (
                Stream::Order(OrderNo::parse("202605011111111111").unwrap()),
                "order:202605011111111111",
            ),
            (Stream::Penalty(PenaltyId(9)), "penalty:9"),
            (Stream::Jury(JuryId(4)), "jury:4"),
        ];
        for (stream, name) in cases {
            assert_eq!(stream.to_string(), name);
            assert_eq!(name.parse::<Stream>().unwrap(), stream);
        }
        for bad in [
            "complaint:x",
            "complaint",
            "case:",
            "cart:1",
            "order:12",
            "shop:a b",
        ] {
            assert!(Stream::parse(bad).is_err(), "{bad}");
        }
    }
}
