//! Expected measurements as people hold them: `N=HEX` on the command line, or the JSON that
//! `nitro-cli build-enclave` and `nitro-cli describe-eif` print (`Measurements.PCR0` …).

use crate::document::PCR_COUNT;

/// Largest nitro-cli JSON read, in bytes.
pub const MAX_MEASUREMENTS_JSON_BYTES: usize = 1 << 20;

/// Why expected measurements could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct MeasurementError(String);

fn err(msg: impl Into<String>) -> MeasurementError {
    MeasurementError(msg.into())
}

/// A PCR value from hex: 32, 48 or 64 bytes.
fn pcr_value(index: u32, hex_text: &str) -> Result<Vec<u8>, MeasurementError> {
    let v = hex::decode(hex_text.trim()).map_err(|e| err(format!("PCR{index}: not hex ({e})")))?;
    if !crate::document::is_pcr_len(v.len()) {
        return Err(err(format!(
            "PCR{index}: {} bytes; a PCR is 32, 48 or 64 bytes (SHA-384 PCRs are 96 hex digits)",
            v.len()
        )));
    }
    Ok(v)
}

fn pcr_index(text: &str) -> Result<u32, MeasurementError> {
    text.parse::<u32>()
        .ok()
        .filter(|&i| u64::from(i) < PCR_COUNT)
        .ok_or_else(|| err(format!("{text:?} is not a PCR index (0 to 31)")))
}

/// One `N=HEX` expectation (`--pcr 0=…`).
pub fn parse_pcr_arg(text: &str) -> Result<(u32, Vec<u8>), MeasurementError> {
    let (n, v) = text
        .split_once('=')
        .ok_or_else(|| err(format!("{text:?}: expected N=HEX, e.g. 0=<96 hex digits>")))?;
    let index = pcr_index(n.trim())?;
    Ok((index, pcr_value(index, v)?))
}

/// The measurements in nitro-cli's JSON: an object with a `Measurements` object (what
/// `build-enclave` and `describe-eif` print), or an array holding exactly one such object
/// (`describe-enclaves` for one enclave). `Measurements` holds `HashAlgorithm` (must be
/// SHA-384) and `PCRn` hex strings; any other member there is refused, as are duplicate
/// members anywhere.
pub fn measurements_from_nitro_cli(json: &[u8]) -> Result<Vec<(u32, Vec<u8>)>, MeasurementError> {
    if json.len() > MAX_MEASUREMENTS_JSON_BYTES {
        return Err(err(format!(
            "{} bytes, over the {MAX_MEASUREMENTS_JSON_BYTES}-byte limit",
            json.len()
        )));
    }
    let value: serde_json::Value =
        plugin_api::json::from_slice(json).map_err(|e| err(format!("not JSON: {e}")))?;
    let object = match &value {
        serde_json::Value::Array(items) => match items.as_slice() {
            [one] => one,
            _ => {
                return Err(err(format!(
                    "an array of {} enclaves; give the output for exactly one",
                    items.len()
                )))
            }
        },
        v => v,
    };
    let m = object
        .get("Measurements")
        .and_then(|m| m.as_object())
        .ok_or_else(|| {
            err("no \"Measurements\" object (nitro-cli describe-eif output expected)")
        })?;
    let mut out: Vec<(u32, Vec<u8>)> = Vec::new();
    for (key, v) in m {
        if key == "HashAlgorithm" {
            let alg = v
                .as_str()
                .ok_or_else(|| err("Measurements.HashAlgorithm is not a string"))?;
            if !alg.to_ascii_lowercase().starts_with("sha384") {
                return Err(err(format!(
                    "Measurements.HashAlgorithm is {alg:?}; Nitro PCRs are SHA-384"
                )));
            }
            continue;
        }
        let index = key
            .strip_prefix("PCR")
            .ok_or_else(|| err(format!("Measurements.{key}: unknown member")))
            .and_then(pcr_index)?;
        let text = v
            .as_str()
            .ok_or_else(|| err(format!("Measurements.{key} is not a string")))?;
        out.push((index, pcr_value(index, text)?));
    }
    if out.is_empty() {
        return Err(err("Measurements holds no PCR"));
    }
    out.sort_by_key(|(i, _)| *i);
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn reads_describe_eif_output() {
        let h = "ab".repeat(48);
        let json = format!(
            r#"{{"EifVersion":4,"Measurements":{{"HashAlgorithm":"Sha384 {{ ... }}","PCR0":"{h}","PCR8":"{h}"}},"IsSigned":true}}"#
        );
        let m = measurements_from_nitro_cli(json.as_bytes()).unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(m[1].0, 8);
        let arr = format!(r#"[{{"Measurements":{{"PCR2":"{h}"}}}}]"#);
        assert_eq!(measurements_from_nitro_cli(arr.as_bytes()).unwrap()[0].0, 2);
        for bad in [
            format!(r#"{{"Measurements":{{"PCR0":"{h}","PCR0":"{h}"}}}}"#),
            format!(r#"{{"Measurements":{{"PCR32":"{h}"}}}}"#),
            format!(r#"{{"Measurements":{{"PCRX":"{h}"}}}}"#),
            r#"{"Measurements":{"PCR0":"abcd"}}"#.to_owned(),
            format!(r#"{{"Measurements":{{"HashAlgorithm":"Sha256","PCR0":"{h}"}}}}"#),
            r#"{"Measurements":{}}"#.to_owned(),
            format!(r#"[{{"Measurements":{{"PCR2":"{h}"}}}},{{"Measurements":{{"PCR2":"{h}"}}}}]"#),
            r#"{"measurements":{}}"#.to_owned(),
        ] {
            assert!(
                measurements_from_nitro_cli(bad.as_bytes()).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn reads_pcr_args() {
        let h = "00".repeat(48);
        assert_eq!(parse_pcr_arg(&format!("0={h}")).unwrap().0, 0);
        assert_eq!(parse_pcr_arg(&format!("31={h}")).unwrap().0, 31);
        for bad in [
            format!("32={h}"),
            format!("-1={h}"),
            h.clone(),
            "0=00".into(),
        ] {
            assert!(parse_pcr_arg(&bad).is_err(), "{bad}");
        }
    }
}
