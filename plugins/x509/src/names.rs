//! General names (RFC 5280 §4.2.1.6), host-name matching and name constraints (§4.2.1.10).

use crate::der::{self, DerError, Reader};
use plugin_api::Failure;
use std::net::IpAddr;

/// One GeneralName, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GeneralName {
    /// `[0] otherName`, or `[3]`, `[5]`, `[8]`: forms this validator does not interpret
    /// (the context tag number is kept).
    Unsupported(u8),
    /// `[1] rfc822Name` (IA5String bytes).
    Email(Vec<u8>),
    /// `[2] dNSName` (IA5String bytes).
    Dns(Vec<u8>),
    /// `[4] directoryName`: the Name's RDNs, each as its raw SET DER.
    Directory(Vec<Vec<u8>>),
    /// `[6] uniformResourceIdentifier` (IA5String bytes).
    Uri(Vec<u8>),
    /// `[7] iPAddress`: 4 or 16 bytes in a SAN, 8 or 32 (address + mask) in a constraint.
    Ip(Vec<u8>),
}

impl GeneralName {
    fn kind(&self) -> u8 {
        match self {
            GeneralName::Unsupported(t) => *t,
            GeneralName::Email(_) => 1,
            GeneralName::Dns(_) => 2,
            GeneralName::Directory(_) => 4,
            GeneralName::Uri(_) => 6,
            GeneralName::Ip(_) => 7,
        }
    }
}

/// Parses a Name (SEQUENCE OF RelativeDistinguishedName) into its raw RDNs.
pub(crate) fn parse_name_rdns(content: &[u8]) -> Result<Vec<Vec<u8>>, DerError> {
    let mut r = Reader::new(content);
    let mut out = Vec::new();
    while !r.is_empty() {
        let rdn = r.expect(der::SET)?;
        if rdn.content.is_empty() {
            return Err(DerError("empty RDN"));
        }
        out.push(rdn.raw.to_vec());
    }
    Ok(out)
}

fn ia5(bytes: &[u8]) -> Result<Vec<u8>, DerError> {
    if bytes.is_ascii() {
        Ok(bytes.to_vec())
    } else {
        Err(DerError("non-IA5 character in a name"))
    }
}

/// Parses one GeneralName TLV.
pub(crate) fn parse_general_name(tlv: &der::Tlv<'_>) -> Result<GeneralName, DerError> {
    Ok(match tlv.tag {
        0xa0 => GeneralName::Unsupported(0),
        0x81 => GeneralName::Email(ia5(tlv.content)?),
        0x82 => GeneralName::Dns(ia5(tlv.content)?),
        0xa3 => GeneralName::Unsupported(3),
        0xa4 => {
            let name = der::single(tlv.content, der::SEQUENCE)?;
            GeneralName::Directory(parse_name_rdns(name.content)?)
        }
        0xa5 => GeneralName::Unsupported(5),
        0x86 => GeneralName::Uri(ia5(tlv.content)?),
        0x87 => GeneralName::Ip(tlv.content.to_vec()),
        0x88 => GeneralName::Unsupported(8),
        _ => return Err(DerError("invalid GeneralName tag")),
    })
}

/// Parses GeneralNames (SEQUENCE SIZE (1..MAX) OF GeneralName), the whole extension value.
pub(crate) fn parse_general_names(value: &[u8]) -> Result<Vec<GeneralName>, DerError> {
    let seq = der::single(value, der::SEQUENCE)?;
    let mut r = Reader::new(seq.content);
    let mut out = Vec::new();
    while !r.is_empty() {
        out.push(parse_general_name(&r.read()?)?);
    }
    if out.is_empty() {
        return Err(DerError("empty GeneralNames"));
    }
    Ok(out)
}

/// Name constraints of one CA: permitted and excluded subtrees.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NameConstraints {
    /// Permitted subtrees (`None`: the field was absent).
    pub(crate) permitted: Option<Vec<GeneralName>>,
    /// Excluded subtrees.
    pub(crate) excluded: Option<Vec<GeneralName>>,
}

/// Parses the NameConstraints extension value, refusing forms this validator cannot honour.
pub(crate) fn parse_name_constraints(value: &[u8]) -> Result<NameConstraints, DerError> {
    let seq = der::single(value, der::SEQUENCE)?;
    let mut r = Reader::new(seq.content);
    let permitted = r
        .optional(0xa0)?
        .map(|t| parse_subtrees(t.content))
        .transpose()?;
    let excluded = r
        .optional(0xa1)?
        .map(|t| parse_subtrees(t.content))
        .transpose()?;
    r.finish()?;
    if permitted.is_none() && excluded.is_none() {
        return Err(DerError(
            "name constraints with neither permitted nor excluded subtrees",
        ));
    }
    let nc = NameConstraints {
        permitted,
        excluded,
    };
    for base in nc.permitted.iter().chain(nc.excluded.iter()).flatten() {
        validate_constraint(base)?;
    }
    Ok(nc)
}

fn parse_subtrees(content: &[u8]) -> Result<Vec<GeneralName>, DerError> {
    let mut r = Reader::new(content);
    let mut out = Vec::new();
    while !r.is_empty() {
        let subtree = r.expect(der::SEQUENCE)?;
        let mut s = Reader::new(subtree.content);
        let base = parse_general_name(&s.read()?)?;
        // minimum must be absent (DEFAULT 0); maximum must be absent (RFC 5280 §4.2.1.10).
        s.finish()
            .map_err(|_| DerError("subtree with minimum or maximum"))?;
        out.push(base);
    }
    if out.is_empty() {
        return Err(DerError("empty GeneralSubtrees"));
    }
    Ok(out)
}

fn validate_constraint(base: &GeneralName) -> Result<(), DerError> {
    match base {
        GeneralName::Dns(d) => {
            // An empty constraint matches every name; otherwise a host name without wildcard
            // or leading period (RFC 5280: "host name with zero or more labels").
            if !d.is_empty() && !is_valid_dns_name(d, false) {
                return Err(DerError("malformed dNSName constraint"));
            }
        }
        GeneralName::Ip(b) => {
            if !(b.len() == 8 || b.len() == 32) {
                return Err(DerError("iPAddress constraint is not address + mask"));
            }
            let (_, mask) = b.split_at(b.len() / 2);
            if prefix_len(mask).is_none() {
                return Err(DerError("iPAddress constraint mask is not a CIDR prefix"));
            }
        }
        GeneralName::Email(e) => {
            let ok = match e.iter().filter(|&&c| c == b'@').count() {
                0 => {
                    let host = e.strip_prefix(b".").unwrap_or(e);
                    is_valid_dns_name(host, false)
                }
                1 => split_email(e).is_some(),
                _ => false,
            };
            if !ok {
                return Err(DerError("malformed rfc822Name constraint"));
            }
        }
        GeneralName::Uri(u) => {
            let host = u.strip_prefix(b".").unwrap_or(u);
            if !is_valid_dns_name(host, false) {
                return Err(DerError("malformed URI constraint"));
            }
        }
        GeneralName::Directory(_) | GeneralName::Unsupported(_) => {}
    }
    Ok(())
}

fn prefix_len(mask: &[u8]) -> Option<u32> {
    let mut seen_zero = false;
    let mut len = 0;
    for &b in mask {
        for i in (0..8).rev() {
            let bit = b >> i & 1 == 1;
            if bit {
                if seen_zero {
                    return None;
                }
                len += 1;
            } else {
                seen_zero = true;
            }
        }
    }
    Some(len)
}

/// Whether `name` is a syntactically valid host name (LDH labels, 1..=63 octets each, total
/// at most 253); with `wildcard`, a leftmost label of exactly `*` is allowed (at least two
/// labels must follow it).
pub(crate) fn is_valid_dns_name(name: &[u8], wildcard: bool) -> bool {
    let name = name.strip_suffix(b".").unwrap_or(name);
    if name.is_empty() || name.len() > 253 {
        return false;
    }
    let mut labels = name.split(|&c| c == b'.').peekable();
    if wildcard && labels.peek() == Some(&&b"*"[..]) {
        labels.next();
        let rest: Vec<&[u8]> = labels.collect();
        return rest.len() >= 2 && rest.iter().all(|l| valid_label(l));
    }
    let labels: Vec<&[u8]> = labels.collect();
    if labels.iter().all(|l| valid_label(l)) {
        // A name made only of digit labels is an IPv4 address, not a host name.
        !labels
            .last()
            .is_some_and(|l| l.iter().all(u8::is_ascii_digit))
    } else {
        false
    }
}

fn valid_label(l: &[u8]) -> bool {
    !l.is_empty()
        && l.len() <= 63
        && l.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'-')
        && l.first() != Some(&b'-')
        && l.last() != Some(&b'-')
}

fn lower(s: &[u8]) -> Vec<u8> {
    let s = s.strip_suffix(b".").unwrap_or(s);
    s.to_ascii_lowercase()
}

/// Whether the SAN dNSName `pattern` matches the reference host name `host` (RFC 6125: a
/// wildcard only as the whole leftmost label, matching exactly one label).
pub(crate) fn dns_matches(pattern: &[u8], host: &[u8]) -> bool {
    if !is_valid_dns_name(pattern, true) || !is_valid_dns_name(host, false) {
        return false;
    }
    let p = lower(pattern);
    let h = lower(host);
    if let Some(suffix) = p.strip_prefix(b"*.") {
        match h.iter().position(|&c| c == b'.') {
            Some(dot) => h.get(dot + 1..) == Some(suffix),
            None => false,
        }
    } else {
        p == h
    }
}

/// `name` equals `base` or is a subdomain of it (case-insensitive); an empty base matches all.
fn dns_within(name: &[u8], base: &[u8]) -> bool {
    if base.is_empty() {
        return true;
    }
    let n = lower(name);
    let b = lower(base);
    n == b || (n.len() > b.len() && n.ends_with(&b) && n.get(n.len() - b.len() - 1) == Some(&b'.'))
}

fn split_email(e: &[u8]) -> Option<(&[u8], &[u8])> {
    let at = e.iter().position(|&c| c == b'@')?;
    let (local, rest) = e.split_at(at);
    let domain = rest.get(1..)?;
    if local.is_empty() || domain.contains(&b'@') || !is_valid_dns_name(domain, false) {
        return None;
    }
    Some((local, domain))
}

fn uri_host(uri: &[u8]) -> Option<&[u8]> {
    let s = std::str::from_utf8(uri).ok()?;
    let (_, rest) = s.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    if authority.contains('@') || authority.starts_with('[') {
        return None;
    }
    let host = authority.split(':').next()?;
    if host.is_empty() || !is_valid_dns_name(host.as_bytes(), false) {
        return None;
    }
    Some(host.as_bytes())
}

/// The outcome of checking one name against one subtree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Match {
    /// The subtree does not apply to this name form.
    NotApplicable,
    /// Same form; the name is within the subtree.
    Within,
    /// Same form; the name may be within the subtree (wildcards): excluded, not permitted.
    Partly,
    /// Same form; the name is outside the subtree.
    Outside,
}

/// A name presented by a certificate, for constraint checking.
#[derive(Debug, Clone, Copy)]
pub(crate) enum PresentedName<'a> {
    San(&'a GeneralName),
    /// The subject DN (its RDNs), when non-empty.
    Subject(&'a [Vec<u8>]),
    /// An emailAddress attribute of the subject DN.
    SubjectEmail(&'a [u8]),
}

impl PresentedName<'_> {
    fn kind(&self) -> u8 {
        match self {
            PresentedName::San(g) => g.kind(),
            PresentedName::Subject(_) => 4,
            PresentedName::SubjectEmail(_) => 1,
        }
    }
}

fn check_one(name: &PresentedName<'_>, base: &GeneralName) -> Result<Match, Failure> {
    if name.kind() != base.kind() {
        return Ok(Match::NotApplicable);
    }
    let within = |b: bool| if b { Match::Within } else { Match::Outside };
    Ok(match (name, base) {
        (PresentedName::San(GeneralName::Dns(n)), GeneralName::Dns(b)) => {
            if !is_valid_dns_name(n, true) {
                return Err(Failure::new(format!(
                    "dNSName {:?} is malformed and cannot be checked against name constraints",
                    String::from_utf8_lossy(n)
                )));
            }
            if let Some(rest) = n.strip_prefix(b"*.") {
                // The wildcard stands for every one-label child of `rest`.
                if dns_within(rest, b) {
                    Match::Within
                } else if dns_within(b, rest) {
                    Match::Partly
                } else {
                    Match::Outside
                }
            } else {
                within(dns_within(n, b))
            }
        }
        (PresentedName::San(GeneralName::Ip(n)), GeneralName::Ip(b)) => {
            if !(n.len() == 4 || n.len() == 16) {
                return Err("iPAddress SAN of invalid length".into());
            }
            // Same name form, other address family: outside the subtree (an IPv4 address is
            // not permitted by IPv6-only permitted subtrees).
            if b.len() != n.len() * 2 {
                return Ok(Match::Outside);
            }
            let (addr, mask) = b.split_at(n.len());
            within(
                n.iter()
                    .zip(addr)
                    .zip(mask)
                    .all(|((x, a), m)| x & m == a & m),
            )
        }
        (PresentedName::San(GeneralName::Email(_)), GeneralName::Email(b))
        | (PresentedName::SubjectEmail(_), GeneralName::Email(b)) => {
            let n: &[u8] = match name {
                PresentedName::San(GeneralName::Email(n)) => n,
                PresentedName::SubjectEmail(n) => n,
                _ => return Ok(Match::NotApplicable),
            };
            let (local, domain) = split_email(n).ok_or_else(|| {
                format!("malformed email address {:?}", String::from_utf8_lossy(n))
            })?;
            if b.contains(&b'@') {
                let (bl, bd) = split_email(b).ok_or("malformed email constraint")?;
                within(local == bl && lower(domain) == lower(bd))
            } else if let Some(sub) = b.strip_prefix(b".") {
                within(dns_within(domain, sub) && lower(domain) != lower(sub))
            } else {
                within(lower(domain) == lower(b))
            }
        }
        (PresentedName::San(GeneralName::Uri(n)), GeneralName::Uri(b)) => {
            let host = uri_host(n).ok_or_else(|| {
                format!(
                    "URI {:?} has no host name to check against constraints",
                    String::from_utf8_lossy(n)
                )
            })?;
            if let Some(sub) = b.strip_prefix(b".") {
                within(dns_within(host, sub) && lower(host) != lower(sub))
            } else {
                within(lower(host) == lower(b))
            }
        }
        (PresentedName::San(GeneralName::Directory(_)), GeneralName::Directory(b))
        | (PresentedName::Subject(_), GeneralName::Directory(b)) => {
            let n: &[Vec<u8>] = match name {
                PresentedName::San(GeneralName::Directory(n)) => n,
                PresentedName::Subject(n) => n,
                _ => return Ok(Match::NotApplicable),
            };
            within(b.len() <= n.len() && n.iter().zip(b.iter()).all(|(x, y)| x == y))
        }
        _ => return Err("name form not supported in name constraints".into()),
    })
}

/// Checks every presented name against one CA's constraints, charging `budget` per comparison.
pub(crate) fn check_constraints(
    nc: &NameConstraints,
    names: &[PresentedName<'_>],
    budget: &mut usize,
) -> Result<(), Failure> {
    for name in names {
        if let Some(permitted) = &nc.permitted {
            let mut applicable = false;
            let mut ok = false;
            for base in permitted {
                *budget = budget
                    .checked_sub(1)
                    .ok_or("name-constraint comparison budget exhausted")?;
                match check_one(name, base)? {
                    Match::NotApplicable => {}
                    Match::Within => {
                        applicable = true;
                        ok = true;
                    }
                    Match::Partly | Match::Outside => applicable = true,
                }
            }
            if applicable && !ok {
                return Err(Failure::new(format!(
                    "{} is not within the permitted subtrees",
                    describe(name)
                )));
            }
        }
        if let Some(excluded) = &nc.excluded {
            for base in excluded {
                *budget = budget
                    .checked_sub(1)
                    .ok_or("name-constraint comparison budget exhausted")?;
                match check_one(name, base)? {
                    Match::Within | Match::Partly => {
                        return Err(Failure::new(format!(
                            "{} is within an excluded subtree",
                            describe(name)
                        )))
                    }
                    Match::NotApplicable | Match::Outside => {}
                }
            }
        }
    }
    Ok(())
}

fn describe(name: &PresentedName<'_>) -> String {
    match name {
        PresentedName::San(GeneralName::Dns(d)) => {
            format!("dNSName {:?}", String::from_utf8_lossy(d))
        }
        PresentedName::San(GeneralName::Email(d)) => {
            format!("email {:?}", String::from_utf8_lossy(d))
        }
        PresentedName::SubjectEmail(d) => format!("email {:?}", String::from_utf8_lossy(d)),
        PresentedName::San(GeneralName::Uri(d)) => format!("URI {:?}", String::from_utf8_lossy(d)),
        PresentedName::San(GeneralName::Ip(d)) => match ip_from_bytes(d) {
            Some(ip) => format!("iPAddress {ip}"),
            None => "iPAddress (malformed)".into(),
        },
        PresentedName::San(GeneralName::Directory(_)) => "a directoryName".into(),
        PresentedName::Subject(_) => "the subject name".into(),
        PresentedName::San(GeneralName::Unsupported(t)) => format!("a GeneralName [{t}]"),
    }
}

/// Parses an IP address in any common notation: IPv6 in any case or compression, IPv4 as
/// dotted parts in decimal (leading zeros allowed), `0x` hex or octal, or one 32-bit number.
pub(crate) fn loose_ip(s: &str) -> Option<IpAddr> {
    if s.contains(':') {
        return s.parse::<std::net::Ipv6Addr>().ok().map(IpAddr::V6);
    }
    let part = |p: &str| -> Option<u64> {
        if let Some(h) = p.strip_prefix("0x").or_else(|| p.strip_prefix("0X")) {
            u64::from_str_radix(h, 16).ok()
        } else if p.len() > 1 && p.starts_with('0') {
            u64::from_str_radix(p, 8).ok().or_else(|| p.parse().ok())
        } else {
            p.parse().ok()
        }
    };
    let parts: Vec<&str> = s.split('.').collect();
    let value = match parts.as_slice() {
        [one] => part(one)?,
        [a, b, c, d] => {
            let v = [part(a)?, part(b)?, part(c)?, part(d)?];
            if v.iter().any(|&x| x > 255) {
                return None;
            }
            v.iter().fold(0u64, |acc, &x| (acc << 8) | x)
        }
        _ => return None,
    };
    u32::try_from(value)
        .ok()
        .map(|v| IpAddr::V4(std::net::Ipv4Addr::from(v)))
}

/// An IP address from SAN bytes.
pub(crate) fn ip_from_bytes(b: &[u8]) -> Option<IpAddr> {
    if let Ok(v4) = <[u8; 4]>::try_from(b) {
        return Some(IpAddr::from(v4));
    }
    <[u8; 16]>::try_from(b).ok().map(IpAddr::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_matching() {
        assert!(dns_matches(b"*.example.com", b"foo.example.com"));
        assert!(!dns_matches(b"*.example.com", b"example.com"));
        assert!(!dns_matches(b"*.example.com", b"a.b.example.com"));
        assert!(!dns_matches(b"*.com", b"example.com"));
        assert!(!dns_matches(b"ba*.example.com", b"bar.example.com"));
        assert!(!dns_matches(b"*", b"example"));
        assert!(dns_matches(b"Example.COM", b"example.com"));
        assert!(!dns_matches(b"8.8.8.8", b"8.8.8.8"));
        assert!(!dns_matches(
            b"under_score.example.com",
            b"under_score.example.com"
        ));
    }

    #[test]
    fn dns_subtrees() {
        assert!(dns_within(b"foo.example.com", b"example.com"));
        assert!(!dns_within(b"fooexample.com", b"example.com"));
        assert!(dns_within(b"example.com", b"example.com"));
    }

    #[test]
    fn ip_family_mismatch_is_outside_permitted() {
        let mut v6 = vec![0u8; 16];
        v6.extend_from_slice(&[0xff; 16]);
        let nc = NameConstraints {
            permitted: Some(vec![GeneralName::Ip(v6)]),
            excluded: None,
        };
        let san = GeneralName::Ip(vec![192, 0, 2, 1]);
        let mut budget = 10;
        assert!(check_constraints(&nc, &[PresentedName::San(&san)], &mut budget).is_err());
    }

    fn nc(permitted: Vec<GeneralName>, excluded: Vec<GeneralName>) -> NameConstraints {
        NameConstraints {
            permitted: (!permitted.is_empty()).then_some(permitted),
            excluded: (!excluded.is_empty()).then_some(excluded),
        }
    }

    fn allowed(c: &NameConstraints, name: GeneralName) -> bool {
        let mut budget = 100;
        check_constraints(c, &[PresentedName::San(&name)], &mut budget).is_ok()
    }

    #[test]
    fn email_constraints() {
        let host = nc(vec![GeneralName::Email(b"example.com".to_vec())], vec![]);
        assert!(allowed(
            &host,
            GeneralName::Email(b"foo@example.com".to_vec())
        ));
        assert!(!allowed(
            &host,
            GeneralName::Email(b"foo@sub.example.com".to_vec())
        ));
        let sub = nc(vec![GeneralName::Email(b".example.com".to_vec())], vec![]);
        assert!(allowed(
            &sub,
            GeneralName::Email(b"foo@sub.example.com".to_vec())
        ));
        assert!(!allowed(
            &sub,
            GeneralName::Email(b"foo@example.com".to_vec())
        ));
        let mailbox = nc(vec![GeneralName::Email(b"*@example.com".to_vec())], vec![]);
        assert!(allowed(
            &mailbox,
            GeneralName::Email(b"*@example.com".to_vec())
        ));
        assert!(!allowed(
            &mailbox,
            GeneralName::Email(b"user@example.com".to_vec())
        ));
        assert!(!allowed(
            &host,
            GeneralName::Email(b"a@b@example.com".to_vec())
        ));
        // Other name forms are not constrained by email subtrees.
        assert!(allowed(&host, GeneralName::Dns(b"other.org".to_vec())));
    }

    #[test]
    fn uri_and_directory_constraints() {
        let uri = nc(vec![GeneralName::Uri(b".example.com".to_vec())], vec![]);
        assert!(allowed(
            &uri,
            GeneralName::Uri(b"https://www.example.com/x".to_vec())
        ));
        assert!(!allowed(
            &uri,
            GeneralName::Uri(b"https://example.com/x".to_vec())
        ));
        assert!(!allowed(&uri, GeneralName::Uri(b"urn:isbn:123".to_vec())));
        let rdn = |v: &[u8]| v.to_vec();
        let dir = nc(vec![GeneralName::Directory(vec![rdn(b"A")])], vec![]);
        assert!(allowed(
            &dir,
            GeneralName::Directory(vec![rdn(b"A"), rdn(b"B")])
        ));
        assert!(!allowed(&dir, GeneralName::Directory(vec![rdn(b"B")])));
    }

    #[test]
    fn wildcards_against_dns_subtrees() {
        let excl = nc(vec![], vec![GeneralName::Dns(b"bar.example.com".to_vec())]);
        assert!(!allowed(&excl, GeneralName::Dns(b"*.example.com".to_vec())));
        assert!(allowed(&excl, GeneralName::Dns(b"*.other.com".to_vec())));
        let perm = nc(vec![GeneralName::Dns(b"foo.example.com".to_vec())], vec![]);
        assert!(!allowed(&perm, GeneralName::Dns(b"*.example.com".to_vec())));
        assert!(allowed(
            &perm,
            GeneralName::Dns(b"*.foo.example.com".to_vec())
        ));
    }

    #[test]
    fn comparison_budget_is_enforced() {
        let c = nc(vec![GeneralName::Dns(b"example.com".to_vec())], vec![]);
        let name = GeneralName::Dns(b"example.com".to_vec());
        let mut budget = 0;
        assert!(check_constraints(&c, &[PresentedName::San(&name)], &mut budget).is_err());
    }

    #[test]
    fn loose_ip_notations() {
        let ip = |s: &str| loose_ip(s).map(|i| i.to_string());
        assert_eq!(ip("0xC0A80101").as_deref(), Some("192.168.1.1"));
        assert_eq!(ip("192.168.001.001").as_deref(), Some("192.168.1.1"));
        assert_eq!(ip("2001:DB8::1").as_deref(), Some("2001:db8::1"));
        assert_eq!(ip("example.com"), None);
    }

    #[test]
    fn cidr_masks() {
        assert_eq!(prefix_len(&[255, 255, 255, 0]), Some(24));
        assert_eq!(prefix_len(&[255, 0, 255, 0]), None);
    }
}
