//! Recognises Dailymotion, YouTube and Vimeo video and playlist URLs (page,
//! short, embed and player forms) and normalises them to one identity with
//! canonical and embed URLs.

use std::sync::LazyLock;

use regex::Regex;

/// A video hosting provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Provider {
    /// dailymotion.com, dai.ly
    Dailymotion,
    /// youtube.com, youtu.be, youtube-nocookie.com
    YouTube,
    /// vimeo.com, player.vimeo.com
    Vimeo,
}

impl Provider {
    /// Lowercase identifier used in keys: `dailymotion`, `youtube`, `vimeo`.
    pub fn name(self) -> &'static str {
        match self {
            Provider::Dailymotion => "dailymotion",
            Provider::YouTube => "youtube",
            Provider::Vimeo => "vimeo",
        }
    }

    /// Human-readable name: `Dailymotion`, `YouTube`, `Vimeo`.
    pub fn display_name(self) -> &'static str {
        match self {
            Provider::Dailymotion => "Dailymotion",
            Provider::YouTube => "YouTube",
            Provider::Vimeo => "Vimeo",
        }
    }
}

/// Whether an ID names one video or a playlist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum VideoKind {
    /// A single video.
    Video,
    /// A playlist (Dailymotion, YouTube).
    Playlist,
}

/// A provider-level video or playlist identity.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VideoId {
    /// Hosting provider.
    pub provider: Provider,
    /// Video or playlist.
    pub kind: VideoKind,
    /// Provider's ID, case preserved.
    pub id: String,
    /// Vimeo unlisted-video hash (the `h` parameter), needed to play it.
    pub hash: Option<String>,
}

impl VideoId {
    /// Stable identity key: `provider:id`, or `provider:playlist:id`. The
    /// Vimeo hash is an access token, not part of the identity.
    pub fn key(&self) -> String {
        match self.kind {
            VideoKind::Video => format!("{}:{}", self.provider.name(), self.id),
            VideoKind::Playlist => format!("{}:playlist:{}", self.provider.name(), self.id),
        }
    }

    /// The provider's canonical page URL.
    pub fn canonical_url(&self) -> String {
        let id = &self.id;
        match (self.provider, self.kind) {
            (Provider::Dailymotion, VideoKind::Video) => {
                format!("https://www.dailymotion.com/video/{id}")
            }
            (Provider::Dailymotion, VideoKind::Playlist) => {
                format!("https://www.dailymotion.com/playlist/{id}")
            }
            (Provider::YouTube, VideoKind::Video) => {
                format!("https://www.youtube.com/watch?v={id}")
            }
            (Provider::YouTube, VideoKind::Playlist) => {
                format!("https://www.youtube.com/playlist?list={id}")
            }
            (Provider::Vimeo, VideoKind::Video) => match &self.hash {
                Some(h) => format!("https://vimeo.com/{id}/{h}"),
                None => format!("https://vimeo.com/{id}"),
            },
            // Never parsed; the closest Vimeo notion is a showcase.
            (Provider::Vimeo, VideoKind::Playlist) => format!("https://vimeo.com/showcase/{id}"),
        }
    }

    /// The provider's embeddable player URL.
    pub fn embed_url(&self) -> String {
        let id = &self.id;
        match (self.provider, self.kind) {
            (Provider::Dailymotion, VideoKind::Video) => {
                format!("https://geo.dailymotion.com/player.html?video={id}")
            }
            (Provider::Dailymotion, VideoKind::Playlist) => {
                format!("https://geo.dailymotion.com/player.html?playlist={id}")
            }
            (Provider::YouTube, VideoKind::Video) => format!("https://www.youtube.com/embed/{id}"),
            (Provider::YouTube, VideoKind::Playlist) => {
                format!("https://www.youtube.com/embed/videoseries?list={id}")
            }
            (Provider::Vimeo, VideoKind::Video) => match &self.hash {
                Some(h) => format!("https://player.vimeo.com/video/{id}?h={h}"),
                None => format!("https://player.vimeo.com/video/{id}"),
            },
            (Provider::Vimeo, VideoKind::Playlist) => {
                format!("https://vimeo.com/showcase/{id}/embed")
            }
        }
    }
}

static DAILYMOTION_ID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z0-9]+$").expect("valid Dailymotion ID regex"));
static YOUTUBE_ID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z0-9_-]{11}$").expect("valid YouTube ID regex"));
static YOUTUBE_LIST: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z0-9_-]+$").expect("valid YouTube list regex"));
static VIMEO_ID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[0-9]+$").expect("valid Vimeo ID regex"));
static VIMEO_HASH: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[0-9a-f]+$").expect("valid Vimeo hash regex"));
static GEO_PLAYER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:player\.html|player/[A-Za-z0-9]+\.html)$").expect("valid player regex")
});

/// Recognises a video page, short, embed or player URL of the three providers.
///
/// Scheme `http`, `https` or protocol-relative `//`; host case-insensitive,
/// optional `www.`. Returns `None` for anything else, including channel,
/// user and about pages and lookalike hosts.
pub fn parse_video_url(url: &str) -> Option<VideoId> {
    let parts = UrlParts::parse(url)?;
    let host = parts.host.strip_prefix("www.").unwrap_or(&parts.host);
    match host {
        "dailymotion.com" | "touch.dailymotion.com" => dailymotion_path(&parts),
        "dai.ly" => match parts.segments.as_slice() {
            [id] => dailymotion(VideoKind::Video, id),
            _ => None,
        },
        "geo.dailymotion.com" => {
            let path = parts.segments.join("/");
            if !GEO_PLAYER.is_match(&path) {
                return None;
            }
            match (parts.query("video"), parts.query("playlist")) {
                (Some(id), _) => dailymotion(VideoKind::Video, id),
                (None, Some(id)) => dailymotion(VideoKind::Playlist, id),
                (None, None) => None,
            }
        }
        "youtube.com" | "m.youtube.com" | "music.youtube.com" | "youtube-nocookie.com" => {
            youtube_path(&parts)
        }
        "youtu.be" => match parts.segments.as_slice() {
            [id] => youtube_video(id),
            _ => None,
        },
        "vimeo.com" | "player.vimeo.com" => vimeo_path(host == "player.vimeo.com", &parts),
        _ => None,
    }
}

/// For shortcode/ID inputs: validates an ID for a provider (Dailymotion
/// `[A-Za-z0-9]+`, YouTube `[A-Za-z0-9_-]{11}`, Vimeo `\d+`) and returns it
/// as a video.
pub fn video_from_id(provider: Provider, id: &str) -> Option<VideoId> {
    let id = id.trim();
    let valid = match provider {
        Provider::Dailymotion => &DAILYMOTION_ID,
        Provider::YouTube => &YOUTUBE_ID,
        Provider::Vimeo => &VIMEO_ID,
    };
    valid.is_match(id).then(|| VideoId {
        provider,
        kind: VideoKind::Video,
        id: id.to_owned(),
        hash: None,
    })
}

/// Host, path segments and query of an absolute URL.
struct UrlParts<'a> {
    host: String,
    segments: Vec<&'a str>,
    query: &'a str,
}

impl<'a> UrlParts<'a> {
    fn parse(url: &'a str) -> Option<Self> {
        let url = url.trim();
        let rest = strip_prefix_ci(url, "https://")
            .or_else(|| strip_prefix_ci(url, "http://"))
            .or_else(|| url.strip_prefix("//"))?;
        // The fragment never carries the ID we need.
        let rest = rest.split('#').next().unwrap_or("");
        let (before_query, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (authority, path) = before_query.split_once('/').unwrap_or((before_query, ""));
        // `youtube.com@evil.example` is evil.example: drop userinfo, then port.
        let host_port = authority.rsplit('@').next().unwrap_or("");
        let host = match host_port.rsplit_once(':') {
            Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
            _ => host_port,
        };
        let host = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
        if host.is_empty() {
            return None;
        }
        // Ignore a trailing slash but keep inner empty segments significant.
        let path = path.strip_suffix('/').unwrap_or(path);
        let segments = if path.is_empty() { Vec::new() } else { path.split('/').collect() };
        Some(UrlParts { host, segments, query })
    }

    /// First value of a query parameter.
    fn query(&self, name: &str) -> Option<&'a str> {
        self.query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
    }
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| s.get(prefix.len()..)).flatten()
}

/// Case-insensitive match of fixed path keywords.
fn is(segment: &str, keyword: &str) -> bool {
    segment.eq_ignore_ascii_case(keyword)
}

fn dailymotion_path(parts: &UrlParts) -> Option<VideoId> {
    match parts.segments.as_slice() {
        [v, id] if is(v, "video") => dailymotion(VideoKind::Video, id),
        [p, id] if is(p, "playlist") => dailymotion(VideoKind::Playlist, id),
        [e, v, id] if is(e, "embed") && is(v, "video") => dailymotion(VideoKind::Video, id),
        [e, p, id] if is(e, "embed") && is(p, "playlist") => dailymotion(VideoKind::Playlist, id),
        [c, v, id] if (is(c, "crawler") || is(c, "swf")) && is(v, "video") => {
            dailymotion(VideoKind::Video, id)
        }
        _ => None,
    }
}

/// Dailymotion page paths append `_title-slug` to the ID.
fn dailymotion(kind: VideoKind, segment: &str) -> Option<VideoId> {
    let id = segment.split('_').next().unwrap_or("");
    DAILYMOTION_ID.is_match(id).then(|| VideoId {
        provider: Provider::Dailymotion,
        kind,
        id: id.to_owned(),
        hash: None,
    })
}

fn youtube_path(parts: &UrlParts) -> Option<VideoId> {
    match parts.segments.as_slice() {
        [w] if is(w, "watch") => youtube_video(parts.query("v")?),
        [p] if is(p, "playlist") => youtube_playlist(parts.query("list")?),
        // `videoseries` is itself 11 ID-like chars: check it first.
        [e, s] if is(e, "embed") && is(s, "videoseries") => youtube_playlist(parts.query("list")?),
        [e, id] if is(e, "embed") || is(e, "shorts") || is(e, "live") || is(e, "v") => {
            youtube_video(id)
        }
        _ => None,
    }
}

fn youtube_video(id: &str) -> Option<VideoId> {
    video_from_id(Provider::YouTube, id).filter(|v| v.id == id)
}

fn youtube_playlist(id: &str) -> Option<VideoId> {
    YOUTUBE_LIST.is_match(id).then(|| VideoId {
        provider: Provider::YouTube,
        kind: VideoKind::Playlist,
        id: id.to_owned(),
        hash: None,
    })
}

fn vimeo_path(player: bool, parts: &UrlParts) -> Option<VideoId> {
    let segs = parts.segments.as_slice();
    if player {
        return match segs {
            [v, id] if is(v, "video") => vimeo(id, parts.query("h")),
            _ => None,
        };
    }
    match segs {
        [id] => vimeo(id, None),
        [id, hash] if VIMEO_ID.is_match(id) => vimeo(id, Some(hash)).filter(|v| v.hash.is_some()),
        [c, _, id] if is(c, "channels") => vimeo(id, None),
        [g, _, v, id] if is(g, "groups") && is(v, "videos") => vimeo(id, None),
        [a, _, v, id] if (is(a, "album") || is(a, "showcase")) && is(v, "video") => vimeo(id, None),
        _ => None,
    }
}

/// A Vimeo video; a malformed hash is dropped from a player URL but rejects a
/// page path (where it would be some other page).
fn vimeo(id: &str, hash: Option<&str>) -> Option<VideoId> {
    let mut video = video_from_id(Provider::Vimeo, id).filter(|v| v.id == id)?;
    video.hash = hash.filter(|h| VIMEO_HASH.is_match(h)).map(str::to_owned);
    Some(video)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Provider::*;
    use VideoKind::*;

    const ACCEPTED: &[(&str, Provider, VideoKind, &str, Option<&str>)] = &[
        // Dailymotion
        ("https://www.dailymotion.com/video/x82dxrq", Dailymotion, Video, "x82dxrq", None),
        (
            "http://dailymotion.com/video/x82dxrq_les-eig-promo-4_news",
            Dailymotion,
            Video,
            "x82dxrq",
            None,
        ),
        (
            "https://www.dailymotion.com/video/x82dxrq?playlist=x65owi",
            Dailymotion,
            Video,
            "x82dxrq",
            None,
        ),
        ("https://www.dailymotion.com/video/x82dxrq?start=42", Dailymotion, Video, "x82dxrq", None),
        ("https://touch.dailymotion.com/video/x82dxrq", Dailymotion, Video, "x82dxrq", None),
        ("https://dai.ly/x82dxrq", Dailymotion, Video, "x82dxrq", None),
        ("https://www.dailymotion.com/embed/video/x75h2pz", Dailymotion, Video, "x75h2pz", None),
        (
            "//www.dailymotion.com/embed/video/x75h2pz?autoplay=1",
            Dailymotion,
            Video,
            "x75h2pz",
            None,
        ),
        (
            "https://www.dailymotion.com/embed/playlist/x65owi",
            Dailymotion,
            Playlist,
            "x65owi",
            None,
        ),
        ("https://www.dailymotion.com/playlist/x65owi", Dailymotion, Playlist, "x65owi", None),
        (
            "https://www.dailymotion.com/playlist/x65owi_eig-promo",
            Dailymotion,
            Playlist,
            "x65owi",
            None,
        ),
        ("https://www.dailymotion.com/crawler/video/x82dxrq", Dailymotion, Video, "x82dxrq", None),
        ("https://www.dailymotion.com/swf/video/x82dxrq", Dailymotion, Video, "x82dxrq", None),
        (
            "https://geo.dailymotion.com/player.html?video=x82dxrq",
            Dailymotion,
            Video,
            "x82dxrq",
            None,
        ),
        (
            "https://geo.dailymotion.com/player/xbkl1.html?video=x82dxrq&mute=true",
            Dailymotion,
            Video,
            "x82dxrq",
            None,
        ),
        (
            "https://geo.dailymotion.com/player/xbkl1.html?playlist=x65owi",
            Dailymotion,
            Playlist,
            "x65owi",
            None,
        ),
        ("HTTPS://WWW.DAILYMOTION.COM/video/x82dxrq", Dailymotion, Video, "x82dxrq", None),
        // YouTube
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", YouTube, Video, "dQw4w9WgXcQ", None),
        (
            "https://youtube.com/watch?feature=share&v=dQw4w9WgXcQ&t=42s",
            YouTube,
            Video,
            "dQw4w9WgXcQ",
            None,
        ),
        (
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ&list=PLx0sYbCqOb8TBPRdmBHs5Iftvv9TPboYG",
            YouTube,
            Video,
            "dQw4w9WgXcQ",
            None,
        ),
        ("https://m.youtube.com/watch?v=dQw4w9WgXcQ#t=10", YouTube, Video, "dQw4w9WgXcQ", None),
        ("https://music.youtube.com/watch?v=dQw4w9WgXcQ", YouTube, Video, "dQw4w9WgXcQ", None),
        ("https://youtu.be/dQw4w9WgXcQ?si=abc", YouTube, Video, "dQw4w9WgXcQ", None),
        ("https://www.youtube.com/embed/dQw4w9WgXcQ?rel=0", YouTube, Video, "dQw4w9WgXcQ", None),
        ("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ", YouTube, Video, "dQw4w9WgXcQ", None),
        ("https://www.youtube.com/shorts/a_b-c_d-e_f", YouTube, Video, "a_b-c_d-e_f", None),
        ("https://www.youtube.com/live/dQw4w9WgXcQ", YouTube, Video, "dQw4w9WgXcQ", None),
        ("http://www.youtube.com/v/dQw4w9WgXcQ", YouTube, Video, "dQw4w9WgXcQ", None),
        (
            "https://www.youtube.com/playlist?list=PLx0sYbCqOb8TBPRdmBHs5Iftvv9TPboYG",
            YouTube,
            Playlist,
            "PLx0sYbCqOb8TBPRdmBHs5Iftvv9TPboYG",
            None,
        ),
        (
            "https://www.youtube.com/embed/videoseries?list=PLx0sYbC",
            YouTube,
            Playlist,
            "PLx0sYbC",
            None,
        ),
        (
            "https://www.youtube-nocookie.com/embed/videoseries?si=x&list=PLx0sYbC",
            YouTube,
            Playlist,
            "PLx0sYbC",
            None,
        ),
        ("https://www.YouTube.com:443/watch?v=dQw4w9WgXcQ", YouTube, Video, "dQw4w9WgXcQ", None),
        // Vimeo
        ("https://vimeo.com/19899678", Vimeo, Video, "19899678", None),
        ("https://vimeo.com/19899678/", Vimeo, Video, "19899678", None),
        ("https://vimeo.com/19899678/0a1b2c3d4e", Vimeo, Video, "19899678", Some("0a1b2c3d4e")),
        ("https://player.vimeo.com/video/19899678", Vimeo, Video, "19899678", None),
        (
            "https://player.vimeo.com/video/19899678?h=0a1b2c3d4e&badge=0",
            Vimeo,
            Video,
            "19899678",
            Some("0a1b2c3d4e"),
        ),
        ("https://vimeo.com/channels/staffpicks/19899678", Vimeo, Video, "19899678", None),
        ("https://vimeo.com/groups/shortfilms/videos/19899678", Vimeo, Video, "19899678", None),
        ("https://vimeo.com/album/123/video/19899678", Vimeo, Video, "19899678", None),
        ("https://vimeo.com/showcase/123/video/19899678", Vimeo, Video, "19899678", None),
    ];

    const REJECTED: &[&str] = &[
        "",
        "dailymotion.com/video/x82dxrq",
        "ftp://www.dailymotion.com/video/x82dxrq",
        "https://www.dailymotion.com/user/x",
        "https://www.dailymotion.com/video/",
        "https://www.dailymotion.com/video/x82-dxrq",
        "https://www.dailymotion.com/video/x82dxrq/extra",
        "https://www.dailymotion.com/playlist/x65owi_eig-promo/1",
        "https://geo.dailymotion.com/player.html",
        "https://geo.dailymotion.com/other.html?video=x82dxrq",
        "https://dai.ly/",
        "https://www.youtube.com/channel/UCuAXFkgsw1L7xaCfnd5JJOw",
        "https://www.youtube.com/@channel",
        "https://www.youtube.com/watch",
        "https://www.youtube.com/watch?v=dQw4w9WgXc",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQQ",
        "https://www.youtube.com/watch?vv=dQw4w9WgXcQ",
        "https://www.youtube.com/embed/videoseries",
        "https://www.youtube.com/playlist?list=",
        "https://youtu.be/dQw4w9WgXc!",
        "https://notyoutube.com/watch?v=dQw4w9WgXcQ",
        "https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
        "https://youtube.com@evil.example/watch?v=dQw4w9WgXcQ",
        "https://vimeo.com/about",
        "https://vimeo.com/",
        "https://vimeo.com/19899678/settings",
        "https://vimeo.com/channels/staffpicks",
        "https://player.vimeo.com/video/abc",
        "https://vimeo.com/12a",
        "https://example.com/video/x82dxrq",
        "https://é.com/watch?v=dQw4w9WgXcQ",
        "https://www.dailymotion.com/video/x82dxrqé",
    ];

    #[test]
    fn accepted_urls() {
        for &(url, provider, kind, id, hash) in ACCEPTED {
            let got = parse_video_url(url);
            let want = VideoId { provider, kind, id: id.to_owned(), hash: hash.map(str::to_owned) };
            assert_eq!(got, Some(want), "{url}");
        }
    }

    #[test]
    fn rejected_urls() {
        for url in REJECTED {
            assert_eq!(parse_video_url(url), None, "{url}");
        }
    }

    #[test]
    fn outputs_per_provider_and_kind() {
        let cases = [
            (
                "https://dai.ly/x82dxrq",
                "dailymotion:x82dxrq",
                "https://www.dailymotion.com/video/x82dxrq",
                "https://geo.dailymotion.com/player.html?video=x82dxrq",
            ),
            (
                "https://www.dailymotion.com/playlist/x65owi",
                "dailymotion:playlist:x65owi",
                "https://www.dailymotion.com/playlist/x65owi",
                "https://geo.dailymotion.com/player.html?playlist=x65owi",
            ),
            (
                "https://youtu.be/dQw4w9WgXcQ",
                "youtube:dQw4w9WgXcQ",
                "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
                "https://www.youtube.com/embed/dQw4w9WgXcQ",
            ),
            (
                "https://www.youtube.com/playlist?list=PLx0sYbC",
                "youtube:playlist:PLx0sYbC",
                "https://www.youtube.com/playlist?list=PLx0sYbC",
                "https://www.youtube.com/embed/videoseries?list=PLx0sYbC",
            ),
            (
                "https://vimeo.com/19899678",
                "vimeo:19899678",
                "https://vimeo.com/19899678",
                "https://player.vimeo.com/video/19899678",
            ),
            (
                "https://player.vimeo.com/video/19899678?h=0a1b2c",
                "vimeo:19899678",
                "https://vimeo.com/19899678/0a1b2c",
                "https://player.vimeo.com/video/19899678?h=0a1b2c",
            ),
        ];
        for (url, key, canonical, embed) in cases {
            let v = parse_video_url(url).expect(url);
            assert_eq!(v.key(), key);
            assert_eq!(v.canonical_url(), canonical);
            assert_eq!(v.embed_url(), embed);
            // Normalised URLs parse back to the same identity.
            assert_eq!(parse_video_url(&v.canonical_url()), Some(v.clone()));
            assert_eq!(parse_video_url(&v.embed_url()), Some(v));
        }
    }

    #[test]
    fn vimeo_playlist_built_by_hand() {
        let v = VideoId { provider: Vimeo, kind: Playlist, id: "123".into(), hash: None };
        assert_eq!(v.key(), "vimeo:playlist:123");
        assert_eq!(v.canonical_url(), "https://vimeo.com/showcase/123");
        assert_eq!(v.embed_url(), "https://vimeo.com/showcase/123/embed");
    }

    #[test]
    fn provider_names() {
        let names: Vec<_> =
            [Dailymotion, YouTube, Vimeo].iter().map(|p| (p.name(), p.display_name())).collect();
        assert_eq!(
            names,
            [("dailymotion", "Dailymotion"), ("youtube", "YouTube"), ("vimeo", "Vimeo")]
        );
    }

    #[test]
    fn ids_from_shortcodes() {
        let ok = [
            (Dailymotion, "x82dxrq"),
            (YouTube, "dQw4w9WgXcQ"),
            (YouTube, "a_b-c_d-e_f"),
            (Vimeo, "19899678"),
        ];
        for (p, id) in ok {
            let v = video_from_id(p, id).expect(id);
            assert_eq!((v.provider, v.kind, v.id.as_str(), v.hash), (p, Video, id, None));
        }
        assert_eq!(
            video_from_id(YouTube, " dQw4w9WgXcQ ").map(|v| v.id),
            Some("dQw4w9WgXcQ".into())
        );
        let bad = [
            (Dailymotion, ""),
            (Dailymotion, "x82_dxrq"),
            (YouTube, "dQw4w9WgXc"),
            (YouTube, "dQw4w9WgXcQ1"),
            (YouTube, "dQw4w9WgXc!"),
            (Vimeo, "1989a"),
            (Vimeo, "١٢٣"),
        ];
        for (p, id) in bad {
            assert_eq!(video_from_id(p, id), None, "{p:?} {id}");
        }
    }

    #[test]
    fn odd_input_never_panics() {
        let inputs =
            ["https://", "//", "http://@", "https://:/", "https://é", "https://x.fr:é/", "h"];
        for s in inputs {
            assert_eq!(parse_video_url(s), None, "{s}");
        }
        let url = "https://www.youtube.com/watch?v=dQw4w9WgXcQ";
        for i in 0..=url.len() {
            let _ = parse_video_url(&url[..i]);
        }
    }
}
