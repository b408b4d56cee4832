//! JSON text to and from the wire types, through the browser's own `JSON` in the wizard.
//!
//! The types derive miniserde's traits; miniserde's text layer (its parser and printer) is
//! used only in native builds (the unit tests). In the browser the JavaScript engine parses
//! and escapes, and [`visit`] / [`write`] walk the result through the same traits: miniserde's
//! parser and printer carry floating-point tables (7.6 KB gzip of the wasm) that a
//! wizard whose wire types hold no floats never needs, and the browser's parser is already
//! there.

use miniserde::{Deserialize, Serialize};

/// `value` as JSON text.
pub fn to_json<T: Serialize>(value: &T) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        let mut out = String::new();
        browser::write(value, &mut out);
        out
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        miniserde::json::to_string(value)
    }
}

/// JSON text read into `T` (None when it is not JSON or does not fit `T`).
pub fn from_json<T: Deserialize>(text: &str) -> Option<T> {
    #[cfg(target_arch = "wasm32")]
    {
        let parsed = js_sys::JSON::parse(text).ok()?;
        let mut out = None;
        browser::visit(&parsed, T::begin(&mut out)).ok()?;
        out
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        miniserde::json::from_str(text).ok()
    }
}

#[cfg(target_arch = "wasm32")]
mod browser {
    use js_sys::{Array, JSON, Object};
    use miniserde::de::Visitor;
    use miniserde::ser::{Fragment, Serialize};
    use wasm_bindgen::{JsCast, JsValue};

    /// 2^53: from here on a JavaScript number may not be the integer the text said (the
    /// proxy's integers are counts, milliseconds and Unix times, far below it).
    const INEXACT_INTEGERS: f64 = 9_007_199_254_740_992.0;

    /// Feeds a parsed JSON value to a miniserde visitor, as miniserde's own parser would:
    /// whole numbers as integers, other numbers as floats. An integer too large for a
    /// JavaScript number to hold exactly goes as a float, which an integer field refuses
    /// rather than take a rounded value.
    pub fn visit(value: &JsValue, visitor: &mut dyn Visitor) -> miniserde::Result<()> {
        if value.is_null() {
            visitor.null()
        } else if let Some(b) = value.as_bool() {
            visitor.boolean(b)
        } else if let Some(n) = value.as_f64() {
            if n.fract() != 0.0 || n.abs() >= INEXACT_INTEGERS {
                visitor.float(n)
            } else if n < 0.0 {
                visitor.negative(n as i64)
            } else {
                visitor.nonnegative(n as u64)
            }
        } else if let Some(s) = value.as_string() {
            visitor.string(&s)
        } else if Array::is_array(value) {
            let mut seq = visitor.seq()?;
            for item in value.unchecked_ref::<Array>().iter() {
                visit(&item, seq.element()?)?;
            }
            seq.finish()
        } else {
            let mut map = visitor.map()?;
            for entry in Object::entries(value.unchecked_ref()).iter() {
                let entry: Array = entry.unchecked_into();
                let key = entry.get(0).as_string().unwrap_or_default();
                visit(&entry.get(1), map.key(&key)?)?;
            }
            map.finish()
        }
    }

    /// A string or number in JSON's notation, by the browser (escapes; `null` for NaN).
    fn push_json(value: &JsValue, out: &mut String) {
        if let Some(text) = JSON::stringify(value).ok().and_then(|t| t.as_string()) {
            out.push_str(&text);
        }
    }

    /// Appends `value` as JSON text.
    pub fn write(value: &dyn Serialize, out: &mut String) {
        match value.begin() {
            Fragment::Null => out.push_str("null"),
            Fragment::Bool(b) => out.push_str(if b { "true" } else { "false" }),
            Fragment::Str(s) => push_json(&JsValue::from_str(&s), out),
            Fragment::U64(n) => out.push_str(&crate::text::decimal(n)),
            Fragment::I64(n) => {
                if n < 0 {
                    out.push('-');
                }
                out.push_str(&crate::text::decimal(n.unsigned_abs()));
            }
            Fragment::F64(n) => push_json(&JsValue::from_f64(n), out),
            Fragment::Seq(mut seq) => {
                out.push('[');
                let mut first = true;
                while let Some(item) = seq.next() {
                    if !std::mem::take(&mut first) {
                        out.push(',');
                    }
                    write(item, out);
                }
                out.push(']');
            }
            Fragment::Map(mut map) => {
                out.push('{');
                let mut first = true;
                while let Some((key, item)) = map.next() {
                    if !std::mem::take(&mut first) {
                        out.push(',');
                    }
                    push_json(&JsValue::from_str(&key), out);
                    out.push(':');
                    write(item, out);
                }
                out.push('}');
            }
        }
    }
}
