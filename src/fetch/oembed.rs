//! oEmbed (<https://oembed.com>): asks a video's provider for its title, author and
//! thumbnail. Endpoints are configurable, for tests and mirrors.

use crate::model::{OEmbed, Retrieval, Video};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;
use std::collections::BTreeMap;

/// The providers' published endpoints (the oEmbed registry, and WordPress core's list).
pub const ENDPOINTS: &[(&str, &str)] = &[
    ("dailymotion", "https://www.dailymotion.com/services/oembed"),
    ("vimeo", "https://vimeo.com/api/oembed.json"),
    ("youtube", "https://www.youtube.com/oembed"),
];

/// The endpoint for a provider: the user's (`--oembed provider=URL`) or the published one.
pub fn endpoint<'a>(provider: &str, custom: &'a BTreeMap<String, String>) -> Option<&'a str> {
    custom
        .get(provider)
        .map(String::as_str)
        .or_else(|| ENDPOINTS.iter().find(|(p, _)| *p == provider).map(|(_, e)| *e))
}

/// The request URL: the endpoint with `url` and `format=json` added to its query (an
/// endpoint may carry parameters of its own, such as Dailymotion's `player`).
pub fn request_url(endpoint: &str, video: &Video) -> String {
    let sep = if endpoint.contains('?') { '&' } else { '?' };
    format!("{endpoint}{sep}url={}&format=json", utf8_percent_encode(&video.url, NON_ALPHANUMERIC))
}

/// Reads an answer. `None` when it is not a JSON object.
pub fn parse(request: Retrieval, bytes: &[u8]) -> Option<OEmbed> {
    let raw: Value = serde_json::from_slice(bytes).ok()?;
    let obj = raw.as_object()?;
    let text =
        |k: &str| obj.get(k).and_then(Value::as_str).map(str::to_string).filter(|s| !s.is_empty());
    let duration = obj.get("duration").and_then(|d| match d {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    });
    Some(OEmbed {
        request,
        unavailable: false,
        title: text("title"),
        author_name: text("author_name"),
        author_url: text("author_url"),
        provider_name: text("provider_name"),
        thumbnail_url: text("thumbnail_url"),
        duration,
        thumbnail: None,
        raw: Some(raw),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_urls_keep_the_endpoint_parameters() {
        let v = Video {
            key: "dailymotion:x7tgad0".into(),
            provider: "dailymotion".into(),
            kind: "video".into(),
            id: "x7tgad0".into(),
            url: "https://www.dailymotion.com/video/x7tgad0".into(),
            embed_url: String::new(),
            title: None,
            pages: vec![],
            oembed: None,
        };
        assert_eq!(
            request_url("https://www.dailymotion.com/services/oembed", &v),
            "https://www.dailymotion.com/services/oembed?url=https%3A%2F%2Fwww%2Edailymotion%2Ecom%2Fvideo%2Fx7tgad0&format=json"
        );
        assert!(
            request_url("http://127.0.0.1:8/o?player=abc", &v)
                .starts_with("http://127.0.0.1:8/o?player=abc&url=")
        );
        let custom = BTreeMap::from([("vimeo".to_string(), "http://m/o".to_string())]);
        assert_eq!(endpoint("vimeo", &custom), Some("http://m/o"));
        assert_eq!(endpoint("youtube", &custom), Some("https://www.youtube.com/oembed"));
        assert_eq!(endpoint("peertube", &custom), None);
    }

    #[test]
    fn answers() {
        let o = parse(
            Retrieval::default(),
            br#"{"type":"video","version":"1.0","title":"T","author_name":"A","duration":"62","thumbnail_url":"https://i/t.jpg","x":1}"#,
        )
        .expect("an object");
        assert_eq!(
            (o.title.as_deref(), o.author_name.as_deref(), o.duration),
            (Some("T"), Some("A"), Some(62.0))
        );
        assert_eq!(o.raw.as_ref().and_then(|r| r.get("x")), Some(&serde_json::json!(1)));
        assert!(parse(Retrieval::default(), b"[1]").is_none());
        assert!(parse(Retrieval::default(), b"<html>").is_none());
    }
}
