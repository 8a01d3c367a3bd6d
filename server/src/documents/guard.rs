//! Every PDF the portal opens goes through here first: a pre-scan of the raw
//! bytes that bounds what the parser would be asked to do (nesting depth,
//! objects, inflated stream sizes, filter chains, time), before lopdf sees
//! the file. lopdf parses nested arrays and dictionaries recursively and
//! inflates streams without a limit, so a few kilobytes could otherwise
//! exhaust the stack (which aborts the whole process) or the memory.

use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use lopdf::Document;

use super::inspect::Refusal;

/// The bounds every PDF is held to.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Arrays and dictionaries inside each other (real documents stay below 20).
    pub max_depth: usize,
    /// Indirect objects, counting those inside object streams.
    pub max_objects: usize,
    /// Pages in one document.
    pub max_pages: usize,
    /// Bytes one stream may inflate to.
    pub max_stream_bytes: u64,
    /// Bytes all streams of a document may inflate to together.
    pub max_total_bytes: u64,
    /// Wall-clock time for all the work on one document.
    pub max_time: Duration,
    /// lopdf's reader scans from the start of the file to each top-level
    /// object it reads (its line counting), so its work grows with objects
    /// × file size: this bounds that product (about 8 s at worst on one core).
    pub max_parse_work: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_depth: 64,
            max_objects: 500_000,
            max_pages: 5_000,
            max_stream_bytes: 64 * 1024 * 1024,
            max_total_bytes: 512 * 1024 * 1024,
            max_time: Duration::from_secs(30),
            max_parse_work: 60_000_000_000,
        }
    }
}

static STOPPING: AtomicBool = AtomicBool::new(false);

/// Abandons all PDF work in progress and to come (the server is stopping).
pub fn stop_all() {
    STOPPING.store(true, Ordering::Relaxed);
}

/// Stops PDF work early: when the person who asked for it has gone away, or
/// when it runs past its time.
#[derive(Debug, Clone)]
pub struct Budget {
    cancelled: Arc<AtomicBool>,
    deadline: Instant,
}

impl Budget {
    pub fn new(max_time: Duration) -> Self {
        Self {
            cancelled: Arc::new(AtomicBool::new(false)),
            deadline: Instant::now() + max_time,
        }
    }

    /// A budget that never runs out (for work on files already checked).
    pub fn unlimited() -> Self {
        Self::new(Duration::from_secs(24 * 3600))
    }

    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    /// `Err` once cancelled, past the deadline, or the server is stopping.
    pub fn check(&self) -> Result<(), Refusal> {
        if self.cancelled.load(Ordering::Relaxed) || STOPPING.load(Ordering::Relaxed) {
            Err(Refusal::Abandoned)
        } else if Instant::now() > self.deadline {
            Err(Refusal::TooSlow)
        } else {
            Ok(())
        }
    }
}

/// Checks `bytes` against `limits` and only then parses them.
pub fn open(bytes: &[u8], limits: &Limits, budget: &Budget) -> Result<Document, Refusal> {
    prescan(bytes, limits, budget)?;
    budget.check()?;
    let doc = Document::load_mem(bytes).map_err(|_| Refusal::Damaged)?;
    if doc.objects.len() > limits.max_objects {
        return Err(Refusal::TooComplex);
    }
    budget.check()?;
    Ok(doc)
}

/// `open` for reading pages and tags only: the parse drops the bytes of
/// every stream (a 50 MB scan is mostly image streams, which lopdf would
/// otherwise copy out of the upload), then reads back just the page
/// contents and the fonts' `ToUnicode` maps. The document it returns must
/// not be written or rendered. When one of those streams cannot be read back
/// on its own, the whole file is parsed as `open` does.
pub fn open_for_reading(
    bytes: &[u8],
    limits: &Limits,
    budget: &Budget,
) -> Result<Document, Refusal> {
    prescan(bytes, limits, budget)?;
    budget.check()?;
    let skeleton = lopdf::Reader {
        buffer: bytes,
        document: Document::new(),
    }
    .read(Some(without_stream_bytes))
    .map_err(|_| Refusal::Damaged)?;
    if skeleton.objects.len() > limits.max_objects {
        return Err(Refusal::TooComplex);
    }
    budget.check()?;
    let mut wanted = std::collections::BTreeSet::new();
    for page in skeleton.get_pages().into_values() {
        wanted.extend(skeleton.get_page_contents(page));
        for font in skeleton
            .get_page_fonts(page)
            .unwrap_or_default()
            .into_values()
        {
            if let Ok(id) = font.get(b"ToUnicode").and_then(lopdf::Object::as_reference) {
                wanted.insert(id);
            }
        }
    }
    // lopdf's offsets count from the `%PDF-` header.
    let start = bytes.windows(5).position(|w| w == b"%PDF-").unwrap_or(0);
    let reader = lopdf::Reader {
        buffer: &bytes[start..],
        document: skeleton,
    };
    let mut read_back = Vec::with_capacity(wanted.len());
    for id in wanted {
        let mut seen = std::collections::HashSet::new();
        match reader.get_object(id, &mut seen) {
            Ok(lopdf::Object::Stream(s)) if !s.content.is_empty() => {
                read_back.push((id, s.content))
            }
            Ok(lopdf::Object::Stream(_)) | Err(_) => return open(bytes, limits, budget),
            Ok(_) => {}
        }
    }
    let mut doc = reader.document;
    for (id, content) in read_back {
        if let Ok(stream) = doc
            .get_object_mut(id)
            .and_then(lopdf::Object::as_stream_mut)
        {
            stream.content = content;
        }
    }
    budget.check()?;
    Ok(doc)
}

/// Called by lopdf on each object as it is parsed: a stream keeps its
/// dictionary and loses its bytes, except an object stream, whose objects
/// are read from them next. (One byte is left: lopdf reads an empty stream
/// again from the file.) What it returns is used only for objects found
/// inside object streams, which are never streams themselves.
fn without_stream_bytes(
    id: lopdf::ObjectId,
    object: &mut lopdf::Object,
) -> Option<(lopdf::ObjectId, lopdf::Object)> {
    if let lopdf::Object::Stream(stream) = object {
        if !stream.dict.has_type(b"ObjStm") {
            stream.content = vec![b' '];
        }
        return Some((id, lopdf::Object::Null));
    }
    Some((id, object.clone()))
}

/// `open` with the default limits and no deadline, for PDFs that were
/// accepted earlier (the check is repeated: it is cheap and keeps one door).
pub fn open_checked(bytes: &[u8]) -> Result<Document, Refusal> {
    open(bytes, &Limits::default(), &Budget::unlimited())
}

/// What the scanner found, for tests and logging.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Scan {
    pub max_depth: usize,
    pub objects: usize,
    pub streams: usize,
    pub inflated: u64,
}

/// Walks the raw file once: tracks nesting outside strings, comments and
/// stream data; counts objects; inflates each compressed stream into a
/// counter (never into memory, except object streams, whose objects are
/// scanned as well).
pub fn prescan(bytes: &[u8], limits: &Limits, budget: &Budget) -> Result<Scan, Refusal> {
    let mut scan = Scan::default();
    let mut s = Scanner::new(bytes, limits);
    while let Some(event) = s.next_event()? {
        budget.check()?;
        match event {
            Event::Object => {
                scan.objects += 1;
                s.objects_seen += 1;
                if scan.objects > limits.max_objects {
                    return Err(Refusal::TooComplex);
                }
            }
            Event::Stream { dict, data } => {
                scan.streams += 1;
                budget.check()?;
                let info = StreamInfo::read(dict)?;
                let left = limits.max_total_bytes.saturating_sub(scan.inflated);
                let cap = limits.max_stream_bytes.min(left);
                if info.object_stream {
                    let decoded = decode(info.filter, data, cap, true)?;
                    scan.inflated += decoded.len;
                    let inner = decoded.content.unwrap_or_default();
                    scan.objects += info.count.min(limits.max_objects + 1);
                    if scan.objects > limits.max_objects {
                        return Err(Refusal::TooComplex);
                    }
                    scan.max_depth = scan.max_depth.max(check_depth(&inner, limits.max_depth)?);
                } else {
                    scan.inflated += decode(info.filter, data, cap, false)?.len;
                }
            }
        }
        scan.max_depth = scan.max_depth.max(s.max_depth);
    }
    scan.max_depth = scan.max_depth.max(s.max_depth);
    if (s.objects_seen as u64).saturating_mul(bytes.len() as u64 / 2) > limits.max_parse_work {
        return Err(Refusal::TooComplex);
    }
    Ok(scan)
}

/// The deepest nesting of `syntax` (PDF object or content-stream syntax),
/// refused past `max_depth`. Used on page contents before they are decoded.
pub fn check_depth(syntax: &[u8], max_depth: usize) -> Result<usize, Refusal> {
    let limits = Limits {
        max_depth,
        ..Limits::default()
    };
    let mut s = Scanner::new(syntax, &limits);
    s.streams = false;
    while s.next_event()?.is_some() {}
    Ok(s.max_depth)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Filter {
    None,
    Flate,
    Lzw,
    Ascii85,
    AsciiHex,
    /// Image codecs the parser never decodes (DCT, JPX, CCITT, JBIG2, RunLength).
    Opaque,
}

struct StreamInfo {
    filter: Filter,
    object_stream: bool,
    count: usize,
}

impl StreamInfo {
    fn read(dict: &[u8]) -> Result<Self, Refusal> {
        let object_stream = name_after(dict, b"/Type").is_some_and(|n| n == b"ObjStm");
        let count = integer_after(dict, b"/N").unwrap_or(0) as usize;
        let filter = match value_after(dict, b"/Filter") {
            None => Filter::None,
            Some(v) if v.first() == Some(&b'/') => filter_name(&v[1..])?,
            Some(v) if v.first() == Some(&b'[') => {
                let end = v.iter().position(|b| *b == b']').ok_or(Refusal::Damaged)?;
                let names: Vec<&[u8]> = v[1..end]
                    .split(|b| *b == b'/')
                    .skip(1)
                    .map(|n| n.split(|b| !is_regular(*b)).next().unwrap_or(b""))
                    .collect();
                match names.as_slice() {
                    [] => Filter::None,
                    [one] => filter_name(one)?,
                    _ => return Err(Refusal::FilterChain),
                }
            }
            // An indirect or odd filter value: nothing real does this.
            Some(_) => return Err(Refusal::FilterChain),
        };
        Ok(Self {
            filter,
            object_stream,
            count,
        })
    }
}

fn filter_name(name: &[u8]) -> Result<Filter, Refusal> {
    let name: Vec<u8> = name
        .iter()
        .copied()
        .take_while(|b| is_regular(*b))
        .collect();
    Ok(match name.as_slice() {
        b"FlateDecode" | b"Fl" => Filter::Flate,
        b"LZWDecode" | b"LZW" => Filter::Lzw,
        b"ASCII85Decode" | b"A85" => Filter::Ascii85,
        b"ASCIIHexDecode" | b"AHx" => Filter::AsciiHex,
        b"DCTDecode" | b"DCT" | b"JPXDecode" | b"CCITTFaxDecode" | b"CCF" | b"JBIG2Decode"
        | b"RunLengthDecode" | b"RL" | b"Crypt" => Filter::Opaque,
        _ => return Err(Refusal::FilterChain),
    })
}

struct Decoded {
    len: u64,
    content: Option<Vec<u8>>,
}

/// A writer that counts (and optionally keeps) bytes, failing past `cap`.
struct Capped {
    len: u64,
    cap: u64,
    keep: Option<Vec<u8>>,
}

impl Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.len += buf.len() as u64;
        if self.len > self.cap {
            return Err(std::io::Error::other("too large"));
        }
        if let Some(k) = self.keep.as_mut() {
            k.extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Decodes `data` the way the parser would, but into a counter capped at
/// `cap`; a stream that would inflate past it is refused.
fn decode(filter: Filter, data: &[u8], cap: u64, keep: bool) -> Result<Decoded, Refusal> {
    let mut out = Capped {
        len: 0,
        cap,
        keep: keep.then(Vec::new),
    };
    let over = |out: &Capped| out.len > out.cap;
    match filter {
        Filter::None | Filter::Opaque | Filter::AsciiHex => {
            let _ = out.write(data);
        }
        Filter::Ascii85 => {
            // Each 'z' stands for four zero bytes; other groups shrink.
            let expanded =
                data.len() as u64 + 3 * data.iter().filter(|b| **b == b'z').count() as u64;
            out.len = expanded;
            if keep && expanded <= cap {
                out.keep = Some(data.to_vec());
            }
        }
        Filter::Flate => {
            let mut decoder = flate2::read::ZlibDecoder::new(data);
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                match decoder.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        if out.write(&buf[..n]).is_err() {
                            break;
                        }
                    }
                }
            }
        }
        Filter::Lzw => {
            let mut decoder =
                weezl::decode::Decoder::with_tiff_size_switch(weezl::BitOrder::Msb, 8);
            let _ = decoder.into_stream(&mut out).decode_all(data);
        }
    }
    if over(&out) {
        return Err(Refusal::TooLarge);
    }
    Ok(Decoded {
        len: out.len,
        content: out.keep,
    })
}

/// A name as a reader sees it: `#xx` escapes decoded.
fn decode_name(name: &[u8]) -> Vec<u8> {
    let mut decoded = Vec::with_capacity(name.len());
    let mut i = 0;
    while i < name.len() {
        if name[i] == b'#' && i + 2 < name.len() {
            if let Ok(v) = u8::from_str_radix(&String::from_utf8_lossy(&name[i + 1..i + 3]), 16) {
                decoded.push(v);
                i += 3;
                continue;
            }
        }
        decoded.push(name[i]);
        i += 1;
    }
    decoded
}

/// Refuses names a document to be signed must not hold: actions that run
/// code or programs when it is opened, and encryption (also when the name
/// is spelt with escapes, which the parser would not recognise).
fn check_name(name: &[u8]) -> Result<(), Refusal> {
    if name.len() > 32 {
        return Ok(());
    }
    match decode_name(name).as_slice() {
        b"JavaScript" | b"JS" | b"Launch" => Err(Refusal::Scripted),
        b"Encrypt" => Err(Refusal::Encrypted),
        _ => Ok(()),
    }
}

fn is_white(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t' | b'\x0c' | b'\0')
}

fn is_delimiter(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

fn is_regular(b: u8) -> bool {
    !is_white(b) && !is_delimiter(b)
}

/// The raw value after `key` in a dictionary's text (direct values only).
fn value_after<'a>(dict: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    let mut from = 0;
    while let Some(at) = find(&dict[from..], key) {
        let end = from + at + key.len();
        // `/N` must not match `/Names`.
        if dict.get(end).is_some_and(|b| is_regular(*b)) {
            from = end;
            continue;
        }
        let rest = &dict[end..];
        let start = rest.iter().position(|b| !is_white(*b))?;
        return Some(&rest[start..]);
    }
    None
}

fn name_after<'a>(dict: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    let v = value_after(dict, key)?;
    let v = v.strip_prefix(b"/")?;
    Some(&v[..v.iter().position(|b| !is_regular(*b)).unwrap_or(v.len())])
}

fn integer_after(dict: &[u8], key: &[u8]) -> Option<u64> {
    let v = value_after(dict, key)?;
    let digits = &v[..v
        .iter()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(v.len())];
    let after = &v[digits.len()..];
    // `12 0 R` is a reference, not a number.
    let trimmed: Vec<u8> = after
        .iter()
        .copied()
        .skip_while(|b| is_white(*b))
        .take(4)
        .collect();
    if trimmed.first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

enum Event<'a> {
    /// `N G obj` was seen.
    Object,
    /// A stream: its dictionary's text and its raw data.
    Stream { dict: &'a [u8], data: &'a [u8] },
}

struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
    max_depth: usize,
    limit: usize,
    /// Where the last dictionary opened at depth 0 started and ended.
    dict_start: usize,
    dict: Option<(usize, usize)>,
    /// Whether `stream` keywords start stream data (not in content streams).
    streams: bool,
    /// Top-level objects (not those inside object streams).
    objects_seen: usize,
}

impl<'a> Scanner<'a> {
    fn new(bytes: &'a [u8], limits: &Limits) -> Self {
        Self {
            bytes,
            pos: 0,
            depth: 0,
            max_depth: 0,
            limit: limits.max_depth,
            dict_start: 0,
            dict: None,
            streams: true,
            objects_seen: 0,
        }
    }

    fn open(&mut self) -> Result<(), Refusal> {
        self.depth += 1;
        self.max_depth = self.max_depth.max(self.depth);
        if self.depth > self.limit {
            return Err(Refusal::TooComplex);
        }
        Ok(())
    }

    fn next_event(&mut self) -> Result<Option<Event<'a>>, Refusal> {
        let b = self.bytes;
        while self.pos < b.len() {
            let c = b[self.pos];
            match c {
                b'%' => {
                    while self.pos < b.len() && !matches!(b[self.pos], b'\n' | b'\r') {
                        self.pos += 1;
                    }
                }
                b'(' => self.skip_literal(),
                b'<' if b.get(self.pos + 1) == Some(&b'<') => {
                    if self.depth == 0 {
                        self.dict_start = self.pos;
                    }
                    self.open()?;
                    self.pos += 2;
                }
                b'<' => {
                    while self.pos < b.len() && b[self.pos] != b'>' {
                        self.pos += 1;
                    }
                    self.pos += 1;
                }
                b'>' if b.get(self.pos + 1) == Some(&b'>') => {
                    self.depth = self.depth.saturating_sub(1);
                    self.pos += 2;
                    if self.depth == 0 {
                        self.dict = Some((self.dict_start, self.pos));
                    }
                }
                b'[' | b'{' => {
                    self.open()?;
                    self.pos += 1;
                }
                b']' | b'}' => {
                    self.depth = self.depth.saturating_sub(1);
                    self.pos += 1;
                }
                b'/' => {
                    let start = self.pos + 1;
                    self.pos = start;
                    while self.pos < b.len() && is_regular(b[self.pos]) {
                        self.pos += 1;
                    }
                    check_name(&b[start..self.pos])?;
                }
                c if is_regular(c) => {
                    let start = self.pos;
                    while self.pos < b.len() && is_regular(b[self.pos]) {
                        self.pos += 1;
                    }
                    match &b[start..self.pos] {
                        b"obj" => return Ok(Some(Event::Object)),
                        b"stream" if self.streams && self.depth == 0 => {
                            return self.stream().map(Some);
                        }
                        // Inline image data in a content stream: skip to `EI`.
                        b"ID" if !self.streams => match find(&b[self.pos..], b"EI") {
                            Some(at) => self.pos += at + 2,
                            None => self.pos = b.len(),
                        },
                        _ => {}
                    }
                }
                _ => self.pos += 1,
            }
        }
        Ok(None)
    }

    fn skip_literal(&mut self) {
        let b = self.bytes;
        let mut level = 0usize;
        while self.pos < b.len() {
            match b[self.pos] {
                b'\\' => self.pos += 1,
                b'(' => level += 1,
                b')' => {
                    level -= 1;
                    if level == 0 {
                        self.pos += 1;
                        return;
                    }
                }
                _ => {}
            }
            self.pos += 1;
        }
    }

    /// After the `stream` keyword: the data up to `endstream`.
    fn stream(&mut self) -> Result<Event<'a>, Refusal> {
        let b = self.bytes;
        let (ds, de) = self.dict.take().ok_or(Refusal::Damaged)?;
        let dict = &b[ds..de];
        let mut start = self.pos;
        if b.get(start) == Some(&b'\r') {
            start += 1;
        }
        if b.get(start) == Some(&b'\n') {
            start += 1;
        }
        let by_length = integer_after(dict, b"/Length")
            .and_then(|n| usize::try_from(n).ok())
            .and_then(|n| start.checked_add(n))
            .filter(|end| {
                b.get(*end..)
                    .map(|rest| {
                        let skip = rest.iter().take_while(|c| is_white(**c)).count();
                        rest[skip..].starts_with(b"endstream")
                    })
                    .unwrap_or(false)
            });
        let end = match by_length {
            Some(end) => end,
            None => start + find(&b[start..], b"endstream").ok_or(Refusal::Damaged)?,
        };
        let after = find(&b[end..], b"endstream").map(|at| end + at + 9);
        self.pos = after.unwrap_or(b.len());
        Ok(Event::Stream {
            dict,
            data: &b[start..end],
        })
    }
}

#[cfg(test)]
#[path = "guard_tests.rs"]
mod tests;
