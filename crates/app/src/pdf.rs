//! A minimal page layout for the PDF documents Creanța writes (the demo's invoices and
//! delivery notes, the statements of account and formal notices): lines of text (wrapped at
//! word boundaries), label/value fields, table rows whose header repeats on every page, and
//! rules on A4 pages, with DejaVu Sans
//! embedded so that ă â î ș ț render and can be extracted. krilla subsets the font to the
//! glyphs used. Bold is drawn as filled and stroked regular text: a second embedded face
//! would double the size of every document.

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point};
use krilla::page::PageSettings;
use krilla::paint::Stroke;
use krilla::text::{Font, TextDirection};
use krilla::{Data, SerializeSettings};
use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};
use std::sync::OnceLock;

static REGULAR: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const LEFT: f32 = 50.0;
const RIGHT: f32 = PAGE_W - 50.0;
const TOP: f32 = 60.0;
const BOTTOM: f32 = PAGE_H - 60.0;
/// Where field values start, right of their labels.
const VALUE_X: f32 = 190.0;
/// Space kept between a label and its value, or between two table cells.
const GUTTER: f32 = 6.0;
/// The stroke that draws bold text, in ems.
const BOLD_STROKE: f32 = 0.04;

/// The face, parsed once per data set and shared by every document.
#[derive(Clone)]
pub struct Fonts {
    regular: Font,
}

impl Fonts {
    pub fn load() -> Fonts {
        let slim = without_license_names(REGULAR).unwrap_or_else(|| REGULAR.to_vec());
        Fonts {
            regular: Font::new(Data::from(slim), 0).expect("the bundled DejaVu font parses"),
        }
    }
}

fn be16(b: &[u8], at: usize) -> Option<usize> {
    Some(usize::from(u16::from_be_bytes(
        b.get(at..at + 2)?.try_into().ok()?,
    )))
}

fn be32(b: &[u8], at: usize) -> Option<usize> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?) as usize)
}

/// The font without the long records of its `name` table. DejaVu's carries the whole
/// license text (about 10 kB), and the subsetter copies that table into every document,
/// where it would be a third of each file. Names 0–6 (copyright, family, style, unique
/// id, full name, version, PostScript name) are kept, so the font stays attributed and
/// identifiable. `None` when the file is not a plain TrueType font we understand.
fn without_license_names(font: &[u8]) -> Option<Vec<u8>> {
    let tables = be16(font, 4)?;
    let mut entries = Vec::with_capacity(tables);
    for i in 0..tables {
        let rec = 12 + 16 * i;
        let tag: [u8; 4] = font.get(rec..rec + 4)?.try_into().ok()?;
        let (offset, len) = (be32(font, rec + 8)?, be32(font, rec + 12)?);
        let mut data = font.get(offset..offset + len)?.to_vec();
        if &tag == b"name" {
            data = slim_name_table(&data)?;
        }
        entries.push((tag, data));
    }
    let mut out = font.get(..12)?.to_vec();
    let mut offset = 12 + 16 * tables;
    let mut body = Vec::new();
    for (tag, data) in &entries {
        let sum = data
            .chunks(4)
            .map(|c| {
                let mut w = [0u8; 4];
                w[..c.len()].copy_from_slice(c);
                u32::from_be_bytes(w)
            })
            .fold(0u32, u32::wrapping_add);
        out.extend_from_slice(tag);
        out.extend_from_slice(&sum.to_be_bytes());
        out.extend_from_slice(&u32::try_from(offset).ok()?.to_be_bytes());
        out.extend_from_slice(&u32::try_from(data.len()).ok()?.to_be_bytes());
        body.extend_from_slice(data);
        // Tables start on 4-byte boundaries.
        while !body.len().is_multiple_of(4) {
            body.push(0);
        }
        offset = 12 + 16 * tables + body.len();
    }
    out.extend_from_slice(&body);
    Some(out)
}

fn slim_name_table(name: &[u8]) -> Option<Vec<u8>> {
    let count = be16(name, 2)?;
    let storage = be16(name, 4)?;
    let mut records = Vec::new();
    let mut strings = Vec::new();
    for i in 0..count {
        let rec = 6 + 12 * i;
        let name_id = be16(name, rec + 6)?;
        if name_id > 6 {
            continue;
        }
        let (len, off) = (be16(name, rec + 8)?, be16(name, rec + 10)?);
        let text = name.get(storage + off..storage + off + len)?;
        let mut r = name.get(rec..rec + 8)?.to_vec();
        r.extend_from_slice(&u16::try_from(len).ok()?.to_be_bytes());
        r.extend_from_slice(&u16::try_from(strings.len()).ok()?.to_be_bytes());
        records.push(r);
        strings.extend_from_slice(text);
    }
    let mut out = Vec::new();
    out.extend_from_slice(&0u16.to_be_bytes());
    out.extend_from_slice(&u16::try_from(records.len()).ok()?.to_be_bytes());
    out.extend_from_slice(&u16::try_from(6 + 12 * records.len()).ok()?.to_be_bytes());
    for r in records {
        out.extend_from_slice(&r);
    }
    out.extend_from_slice(&strings);
    Some(out)
}

enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        text: String,
    },
    Rule {
        y: f32,
    },
}

/// Builds pages top-down; a new page starts when the next line would not fit.
pub struct Sheet {
    pages: Vec<Vec<Op>>,
    y: f32,
    /// The header of the table being written: repeated at the top of a new page.
    header: Option<Vec<(f32, String)>>,
}

/// Advance widths of the bundled face in ems, indexed by code point (the Basic Multilingual
/// Plane: everything Creanța writes), read once from the font's tables.
fn advances() -> &'static [f32] {
    static ADVANCES: OnceLock<Vec<f32>> = OnceLock::new();
    ADVANCES.get_or_init(|| {
        let font = FontRef::new(REGULAR).expect("the bundled DejaVu font parses");
        let metrics = font.glyph_metrics(Size::new(1.0), LocationRef::default());
        let mut table = vec![MISSING_EM; 0x1_0000];
        for (cp, glyph) in font.charmap().mappings() {
            if let (Some(slot), Some(advance)) =
                (table.get_mut(cp as usize), metrics.advance_width(glyph))
            {
                *slot = advance;
            }
        }
        table
    })
}

/// What a character the face lacks counts for: as wide as the widest Latin letter, so that
/// an unknown width errs towards wrapping.
const MISSING_EM: f32 = 1.0;

/// The printed width of a line: the sum of the face's advances (shaping changes it only by
/// kerning, a fraction of a point per pair). Bold is stroked: the stroke adds half its width
/// at each end.
fn width(text: &str, size: f32, bold: bool) -> f32 {
    let advances = advances();
    let ems: f32 = text
        .chars()
        .map(|c| advances.get(c as usize).copied().unwrap_or(MISSING_EM))
        .sum();
    ems * size + if bold { BOLD_STROKE * size } else { 0.0 }
}

/// Breaks `text` at spaces into lines no wider than `max`; a word wider than `max` gets a
/// line of its own rather than being cut.
fn wrap(text: &str, size: f32, bold: bool, max: f32) -> Vec<String> {
    let space = width(" ", size, false);
    let stroke = width("", size, bold);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut line_width = 0.0;
    for word in text.split_whitespace() {
        let word_width = width(word, size, false);
        if !line.is_empty() && line_width + space + word_width + stroke > max {
            lines.push(std::mem::take(&mut line));
            line_width = 0.0;
        }
        if !line.is_empty() {
            line.push(' ');
            line_width += space;
        }
        line.push_str(word);
        line_width += word_width;
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

impl Sheet {
    pub fn new() -> Sheet {
        Sheet {
            pages: vec![Vec::new()],
            y: TOP,
            header: None,
        }
    }

    fn room(&mut self, height: f32) {
        if self.y + height > BOTTOM {
            self.pages.push(Vec::new());
            self.y = TOP;
        }
    }

    fn put(&mut self, x: f32, size: f32, bold: bool, text: &str) {
        self.pages.last_mut().expect("a page").push(Op::Text {
            x,
            y: self.y,
            size,
            bold,
            text: text.to_owned(),
        });
    }

    fn lines(&mut self, x: f32, size: f32, bold: bool, text: &str) {
        for line in wrap(text, size, bold, RIGHT - x) {
            self.room(size * 1.45);
            self.y += size * 1.45;
            self.put(x, size, bold, &line);
        }
    }

    pub fn title(&mut self, text: &str) {
        self.gap(6.0);
        self.lines(LEFT, 15.0, true, text);
        self.gap(6.0);
    }

    pub fn heading(&mut self, text: &str) {
        self.gap(4.0);
        self.lines(LEFT, 10.5, true, text);
    }

    pub fn text(&mut self, text: &str) {
        self.lines(LEFT, 9.5, false, text);
    }

    pub fn small(&mut self, text: &str) {
        self.lines(LEFT, 7.5, false, text);
    }

    /// `label` in bold, `value` beside it; each wraps within its own column, so that a long
    /// label never runs into its value.
    pub fn field(&mut self, label: &str, value: &str) {
        let size = 9.5;
        let labels = wrap(label, size, true, VALUE_X - LEFT - GUTTER);
        let values = wrap(value, size, false, RIGHT - VALUE_X);
        for i in 0..labels.len().max(values.len()) {
            self.room(size * 1.45);
            self.y += size * 1.45;
            if let Some(l) = labels.get(i) {
                self.put(LEFT, size, true, l);
            }
            if let Some(v) = values.get(i) {
                self.put(VALUE_X, size, false, v);
            }
        }
    }

    /// Starts a table: its header row, repeated on every page the table continues on.
    pub fn table_header(&mut self, cells: &[(f32, &str)]) {
        self.row(cells, true);
        self.header = Some(cells.iter().map(|(x, t)| (*x, (*t).to_owned())).collect());
    }

    /// Ends the table started by [`Sheet::table_header`].
    pub fn end_table(&mut self) {
        self.header = None;
    }

    /// One table row: cells at fixed x offsets from the left margin, cut to fit.
    pub fn row(&mut self, cells: &[(f32, &str)], bold: bool) {
        let size = 8.5;
        if self.y + size * 1.6 > BOTTOM
            && let Some(header) = self.header.clone()
        {
            self.pages.push(Vec::new());
            self.y = TOP;
            let cells: Vec<(f32, &str)> = header.iter().map(|(x, t)| (*x, t.as_str())).collect();
            self.cells(&cells, true, size);
        }
        self.cells(cells, bold, size);
    }

    fn cells(&mut self, cells: &[(f32, &str)], bold: bool, size: f32) {
        self.room(size * 1.6);
        self.y += size * 1.6;
        for (i, (x, text)) in cells.iter().enumerate() {
            let next = cells.get(i + 1).map_or(RIGHT - LEFT, |c| c.0);
            let max = next - x - GUTTER;
            // A cell that does not fit is printed smaller rather than cut: an amount must
            // never lose digits. Cutting is the last resort, for text only a third as big.
            let mut cell_size = size;
            while width(text, cell_size, bold) > max && cell_size > size * 0.65 {
                cell_size -= 0.25;
            }
            let mut cell: String = (*text).to_owned();
            while width(&cell, cell_size, bold) > max && cell.chars().count() > 1 {
                cell.pop();
            }
            self.put(LEFT + x, cell_size, bold, &cell);
        }
    }

    pub fn rule(&mut self) {
        self.room(8.0);
        self.y += 5.0;
        let y = self.y;
        self.pages.last_mut().expect("a page").push(Op::Rule { y });
        self.y += 3.0;
    }

    pub fn gap(&mut self, height: f32) {
        self.y += height;
    }

    /// Two signature blocks side by side, kept together on one page.
    pub fn signatures(&mut self, left: &str, right: &str) {
        self.room(60.0);
        self.y += 30.0;
        self.put(LEFT, 9.0, true, left);
        self.put(LEFT + 270.0, 9.0, true, right);
        self.y += 24.0;
        self.put(LEFT, 9.0, false, "........................................");
        self.put(
            LEFT + 270.0,
            9.0,
            false,
            "........................................",
        );
    }

    pub fn finish(self, fonts: &Fonts) -> Vec<u8> {
        // No XMP packet and no structure tree: both would double the size of a one-page
        // document, and neither helps a demo. Nothing time-dependent is written.
        let settings = SerializeSettings {
            xmp_metadata: false,
            enable_tagging: false,
            ..SerializeSettings::default()
        };
        let mut doc = Document::new_with(settings);
        for ops in &self.pages {
            let mut page =
                doc.start_page_with(PageSettings::from_wh(PAGE_W, PAGE_H).expect("A4 is positive"));
            let mut surface = page.surface();
            for op in ops {
                match op {
                    Op::Text {
                        x,
                        y,
                        size,
                        bold,
                        text,
                    } => {
                        if *bold {
                            surface.set_stroke(Some(Stroke {
                                width: size * BOLD_STROKE,
                                ..Stroke::default()
                            }));
                        }
                        surface.draw_text(
                            Point::from_xy(*x, *y),
                            fonts.regular.clone(),
                            *size,
                            text,
                            false,
                            TextDirection::Auto,
                        );
                        surface.set_stroke(None);
                    }
                    Op::Rule { y } => {
                        let mut path = PathBuilder::new();
                        path.move_to(LEFT, *y);
                        path.line_to(RIGHT, *y);
                        if let Some(path) = path.finish() {
                            surface.set_fill(None);
                            surface.set_stroke(Some(Stroke {
                                paint: rgb::Color::new(90, 90, 90).into(),
                                width: 0.6,
                                ..Stroke::default()
                            }));
                            surface.draw_path(&path);
                            surface.set_stroke(None);
                            surface.set_fill(Some(krilla::paint::Fill::default()));
                        }
                    }
                }
            }
            surface.finish();
            page.finish();
        }
        doc.finish()
            .expect("a text-only document always serializes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_license_text_is_dropped_and_the_font_still_works() {
        let slim = without_license_names(REGULAR).unwrap();
        assert!(
            slim.len() + 8_000 < REGULAR.len(),
            "{} -> {}",
            REGULAR.len(),
            slim.len()
        );
        assert!(Font::new(Data::from(slim), 0).is_some());
        let mut s = Sheet::new();
        s.text("Știință și țară");
        let pdf = s.finish(&Fonts::load());
        assert!(
            pdf.starts_with(b"%PDF") && pdf.len() < 8_000,
            "{}",
            pdf.len()
        );
    }

    #[test]
    fn a_long_table_repeats_its_header_on_every_page() {
        let mut s = Sheet::new();
        s.title("Extras de cont");
        s.table_header(&[(0.0, "Factura"), (200.0, "Rest de plată")]);
        for i in 0..150 {
            s.row(&[(0.0, &format!("F{i:03}")), (200.0, "1,00")], false);
        }
        s.end_table();
        assert!(s.pages.len() >= 3, "{} pages", s.pages.len());
        for page in &s.pages[1..] {
            let first = page.iter().find_map(|op| match op {
                Op::Text { text, .. } => Some(text.as_str()),
                Op::Rule { .. } => None,
            });
            assert_eq!(first, Some("Factura"));
        }
        let rows: usize = s
            .pages
            .iter()
            .flatten()
            .filter(|op| matches!(op, Op::Text { text, .. } if text.starts_with('F') && text.len() == 4))
            .count();
        assert_eq!(rows, 150);
    }

    #[test]
    fn widths_are_the_font_s_own_advances() {
        // DejaVu Sans: 'M' advances 1767 and 'i' 569 of 2048 units per em; 'ș' is an 's'.
        assert!((width("M", 10.0, false) - 10.0 * 1767.0 / 2048.0).abs() < 0.01);
        assert!((width("i", 10.0, false) - 10.0 * 569.0 / 2048.0).abs() < 0.01);
        assert_eq!(width("ș", 10.0, false), width("s", 10.0, false));
        assert_eq!(
            width("iM", 10.0, false),
            width("i", 10.0, false) + width("M", 10.0, false)
        );
        // A character the face lacks (a CJK ideograph) counts a whole em.
        assert_eq!(width("\u{4E2D}", 10.0, false), 10.0);
        assert!(width("iM", 10.0, true) > width("iM", 10.0, false));
    }

    #[test]
    fn a_long_label_wraps_within_its_column_beside_its_value() {
        let mut sheet = Sheet::new();
        sheet.field(
            "Despăgubire 40 EUR / factură (art. 10, Legea 72/2013)",
            "120,00 EUR",
        );
        let texts: Vec<(f32, f32, String)> = sheet.pages[0]
            .iter()
            .filter_map(|op| match op {
                Op::Text { x, y, text, .. } => Some((*x, *y, text.clone())),
                Op::Rule { .. } => None,
            })
            .collect();
        let labels: Vec<&(f32, f32, String)> = texts.iter().filter(|t| t.0 == LEFT).collect();
        assert!(labels.len() >= 2, "{texts:?}");
        for (_, _, l) in &labels {
            assert!(
                width(l, 9.5, true) <= VALUE_X - LEFT - GUTTER,
                "{l:?} runs into the value"
            );
        }
        // The value sits on the label's first line.
        let value = texts.iter().find(|t| t.2 == "120,00 EUR").unwrap();
        assert_eq!((value.0, value.1), (VALUE_X, labels[0].1));
    }

    #[test]
    fn wrapping_keeps_every_word_and_respects_the_width() {
        let text = "Subsemnații, reprezentanți ai beneficiarului, am procedat la recepția lucrărilor \
                    executate conform contractului și constatăm că acestea corespund cerințelor.";
        let lines = wrap(text, 9.5, false, 200.0);
        assert!(lines.len() > 2);
        assert_eq!(
            lines.join(" "),
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        );
        assert!(
            lines
                .iter()
                .all(|l| width(l, 9.5, false) <= 200.0 || !l.contains(' '))
        );
        // Each line is as full as it can be: its next word would not have fitted.
        for pair in lines.windows(2) {
            let next = pair[1].split(' ').next().unwrap();
            assert!(width(&format!("{} {next}", pair[0]), 9.5, false) > 200.0);
        }
        for l in wrap(text, 9.5, true, 200.0) {
            assert!(width(&l, 9.5, true) <= 200.0, "{l:?}");
        }
    }
}
