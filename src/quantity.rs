//! Resource quantities as users write them (`512M`, `1Gi`, `0.5`, `500m`), parsed once for
//! the registry's validation and the deploy backends.

/// Bytes of a memory or storage quantity: Kubernetes suffixes (`Ki Mi Gi Ti`, `k M G T`) and
/// Docker's (`b k m g`, any case, optional trailing `b`/`B`). A bare number is bytes.
pub fn parse_bytes(s: &str) -> Result<u64, String> {
    let t = s.trim();
    if t.is_empty() || t != s {
        return Err(format!(
            "`{s}` is not a quantity: use a number with a unit, e.g. 512M or 1Gi"
        ));
    }
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let value: f64 = num
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite() && *v >= 0.0)
        .ok_or_else(|| format!("`{s}` is not a quantity: it must start with a number"))?;
    let mult: f64 = match unit {
        "" | "b" | "B" => 1.0,
        "Ki" | "KiB" => 1024.0,
        "Mi" | "MiB" => 1024.0 * 1024.0,
        "Gi" | "GiB" => 1024.0 * 1024.0 * 1024.0,
        "Ti" | "TiB" => 1024f64.powi(4),
        // Docker reads k/m/g as binary units; Kubernetes reads k/M/G as decimal ones. Both
        // readings are accepted; the Kubernetes one wins for the suffixes it defines.
        "k" | "K" | "kb" | "KB" => 1000.0,
        "M" | "MB" => 1000.0 * 1000.0,
        "G" | "GB" => 1e9,
        "T" | "TB" => 1e12,
        "m" | "mb" => 1024.0 * 1024.0,
        "g" | "gb" => 1024.0 * 1024.0 * 1024.0,
        _ => {
            return Err(format!(
                "`{s}` has an unknown unit `{unit}`: use one of Ki Mi Gi Ti, k M G T (e.g. 512M or 1Gi)"
            ))
        }
    };
    let bytes = value * mult;
    if bytes > 1e15 {
        return Err(format!("`{s}` is larger than any machine this can run on"));
    }
    Ok(bytes.round() as u64)
}

/// Millicores of a CPU quantity: `0.5`, `2`, `500m`.
pub fn parse_millicpu(s: &str) -> Result<u64, String> {
    let bad = || format!("`{s}` is not a CPU quantity: use cores (0.5, 2) or millicores (500m)");
    let (num, scale) = match s.strip_suffix('m') {
        Some(n) => (n, 1.0),
        None => (s, 1000.0),
    };
    if num.is_empty() || !num.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return Err(bad());
    }
    let v: f64 = num.parse().map_err(|_| bad())?;
    let milli = (v * scale).round();
    if milli < 1.0 {
        return Err(format!("`{s}` is less than one millicore"));
    }
    if milli > 1024.0 * 1000.0 {
        return Err(format!("`{s}` is more than 1024 cores"));
    }
    Ok(milli as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory() {
        assert_eq!(parse_bytes("512M").unwrap(), 512_000_000);
        assert_eq!(parse_bytes("1Gi").unwrap(), 1 << 30);
        assert_eq!(parse_bytes("256m").unwrap(), 256 << 20);
        assert_eq!(parse_bytes("1.5Gi").unwrap(), 3 << 29);
        assert_eq!(parse_bytes("1024").unwrap(), 1024);
        for bad in ["", "M", "12XB", "-1M", " 1M", "1e3M", "9999999T"] {
            assert!(parse_bytes(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn cpu() {
        assert_eq!(parse_millicpu("0.5").unwrap(), 500);
        assert_eq!(parse_millicpu("500m").unwrap(), 500);
        assert_eq!(parse_millicpu("2").unwrap(), 2000);
        for bad in ["", "m", "0", "0.0001", "abc", "-1", "5000"] {
            assert!(parse_millicpu(bad).is_err(), "{bad}");
        }
    }
}
