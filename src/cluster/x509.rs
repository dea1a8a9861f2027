//! The validity period of the cluster's CA certificates. rustls (webpki) never checks a
//! trust anchor's dates, so an expired CA would be accepted where kubectl (Go's x509)
//! refuses it; kdrift checks them itself, before connecting. Reads only what it needs of the
//! DER: `Certificate → tbsCertificate → validity`.

use jiff::Timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validity {
    pub not_before: Timestamp,
    pub not_after: Timestamp,
}

/// Why a CA certificate cannot be used at `now`, in kubectl's words plus the dates.
pub fn check(der: &[u8], now: Timestamp) -> Result<(), String> {
    let validity = validity(der).ok_or_else(|| {
        "x509: malformed certificate (its validity period cannot be read)".to_string()
    })?;
    if now > validity.not_after {
        return Err(format!(
            "x509: certificate has expired or is not yet valid: it expired on {}",
            validity.not_after.strftime("%Y-%m-%d %H:%M:%S UTC")
        ));
    }
    if now < validity.not_before {
        return Err(format!(
            "x509: certificate has expired or is not yet valid: it is valid from {}",
            validity.not_before.strftime("%Y-%m-%d %H:%M:%S UTC")
        ));
    }
    Ok(())
}

pub fn validity(der: &[u8]) -> Option<Validity> {
    let (tag, cert, _) = tlv(der)?;
    if tag != 0x30 {
        return None;
    }
    let (tag, tbs, _) = tlv(cert)?;
    if tag != 0x30 {
        return None;
    }
    let mut rest = tbs;
    // [0] version, optional.
    if rest.first() == Some(&0xa0) {
        rest = tlv(rest)?.2;
    }
    // serialNumber, signature, issuer.
    for _ in 0..3 {
        rest = tlv(rest)?.2;
    }
    let (tag, validity, _) = tlv(rest)?;
    if tag != 0x30 {
        return None;
    }
    let (tag_before, before, rest) = tlv(validity)?;
    let (tag_after, after, _) = tlv(rest)?;
    Some(Validity {
        not_before: time(tag_before, before)?,
        not_after: time(tag_after, after)?,
    })
}

/// One DER tag-length-value: (tag, contents, what follows).
fn tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 || rest.len() < count {
            return None;
        }
        let len = rest[..count]
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (len, &rest[count..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

/// UTCTime (`YYMMDDHHMMSSZ`, years 1950–2049) or GeneralizedTime (`YYYYMMDDHHMMSSZ`).
fn time(tag: u8, bytes: &[u8]) -> Option<Timestamp> {
    let text = std::str::from_utf8(bytes).ok()?.strip_suffix('Z')?;
    let full = match tag {
        0x17 if text.len() == 12 => {
            let yy: u32 = text[..2].parse().ok()?;
            let century = if yy >= 50 { "19" } else { "20" };
            format!("{century}{text}")
        }
        0x18 if text.len() == 14 => text.to_string(),
        _ => return None,
    };
    if !full.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let iso = format!(
        "{}-{}-{}T{}:{}:{}Z",
        &full[..4],
        &full[4..6],
        &full[6..8],
        &full[8..10],
        &full[10..12],
        &full[12..14]
    );
    iso.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal DER certificate shell with the given validity (signature parts empty).
    fn cert(not_before: (u8, &str), not_after: (u8, &str)) -> Vec<u8> {
        fn wrap(tag: u8, body: &[u8]) -> Vec<u8> {
            let mut out = vec![tag];
            if body.len() < 0x80 {
                out.push(body.len() as u8);
            } else {
                out.extend([0x82, (body.len() >> 8) as u8, body.len() as u8]);
            }
            out.extend(body);
            out
        }
        let validity = [
            wrap(not_before.0, not_before.1.as_bytes()),
            wrap(not_after.0, not_after.1.as_bytes()),
        ]
        .concat();
        let tbs = [
            wrap(0xa0, &wrap(0x02, &[2])),
            wrap(0x02, &[1]),
            wrap(0x30, &[]),
            wrap(0x30, &[]),
            wrap(0x30, &validity),
            wrap(0x30, &[0u8; 200]),
        ]
        .concat();
        wrap(0x30, &[wrap(0x30, &tbs), wrap(0x30, &[])].concat())
    }

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn reads_utc_and_generalized_times() {
        let der = cert((0x17, "200101000000Z"), (0x18, "20510101000000Z"));
        let v = validity(&der).unwrap();
        assert_eq!(v.not_before, at("2020-01-01T00:00:00Z"));
        assert_eq!(v.not_after, at("2051-01-01T00:00:00Z"));
        let old = cert((0x17, "990101000000Z"), (0x17, "491231235959Z"));
        assert_eq!(
            validity(&old).unwrap().not_before,
            at("1999-01-01T00:00:00Z")
        );
    }

    #[test]
    fn an_expired_or_future_ca_is_refused_with_kubectls_words() {
        let der = cert((0x17, "200101000000Z"), (0x17, "210101000000Z"));
        let err = check(&der, at("2026-12-01T00:00:00Z")).unwrap_err();
        assert!(
            err.contains("certificate has expired") && err.contains("2021-01-01"),
            "{err}"
        );
        let future = cert((0x18, "20300101000000Z"), (0x18, "20400101000000Z"));
        let err = check(&future, at("2026-12-01T00:00:00Z")).unwrap_err();
        assert!(err.contains("valid from 2030-01-01"), "{err}");
        assert!(check(&future, at("2031-01-01T00:00:00Z")).is_ok());
    }

    #[test]
    fn garbage_is_malformed_not_a_panic() {
        for input in [
            &[][..],
            &[0x30],
            &[0x30, 0x85, 1, 1, 1, 1, 1],
            &[0x30, 0x05, 0x30],
        ] {
            assert!(validity(input).is_none());
            assert!(check(input, at("2026-01-01T00:00:00Z")).is_err());
        }
    }
}
