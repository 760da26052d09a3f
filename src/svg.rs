//! A chart's drawing written as SVG markup, which the page hands to Yew as
//! one raw node (`ui::charts`).
//!
//! Why not `html!`: every element and attribute there becomes code that
//! builds a virtual node, and the eight charts' drawings were a tenth of
//! the page's wasm. A drawing has no listeners and is redrawn whole when
//! its report changes, so text serves as well, for a fraction of the code.
//! Yew parses raw markup with the HTML parser, which puts an `<svg>` and
//! everything in it in the SVG namespace.

use std::fmt::{Display, Write};

/// Every chart's frame: its width in SVG units and the margins around the
/// plot (room for the axes' labels).
pub const W: f64 = 640.0;
pub const LEFT: f64 = 56.0;
pub const RIGHT: f64 = 16.0;
pub const TOP: f64 = 14.0;
pub const BOTTOM: f64 = 42.0;

pub struct Svg {
    out: String,
    /// The element whose start tag is being written, until `>` or `/>`.
    tag: &'static str,
}

impl Svg {
    /// `<svg>` as every chart has it: the chart's width, height `h`, the
    /// title read out for it, and the line that describes it, if any.
    pub fn new(id: &str, h: f64, title: &str, described: Option<&str>) -> Svg {
        let mut s = Svg {
            out: String::with_capacity(4096),
            tag: "",
        };
        s.tag("svg")
            .a("viewBox", format_args!("0 0 {W} {h}"))
            .a("role", "img")
            .a("aria-labelledby", format_args!("{id}-title"))
            .a_opt("aria-describedby", described);
        s.tag("title")
            .a("id", format_args!("{id}-title"))
            .text(title);
        s
    }

    /// Markup that is not a drawing, written the same way: a table of
    /// hundreds of rows (a class's runs) is one string, not a Yew node per
    /// cell. Only `tag`, `a`, `open`, `close` and `text`: HTML has no
    /// self-closing elements. [`Svg::into_markup`] ends it.
    pub fn markup() -> Svg {
        Svg {
            out: String::with_capacity(16 * 1024),
            tag: "",
        }
    }

    /// The markup of [`Svg::markup`].
    pub fn into_markup(self) -> String {
        self.out
    }

    /// Starts an element; attributes follow, then `end`, `open` or `text`.
    pub fn tag(&mut self, tag: &'static str) -> &mut Svg {
        if !self.tag.is_empty() {
            // The previous element was left open with children to come.
            self.out.push('>');
        }
        self.out.push('<');
        self.out.push_str(tag);
        self.tag = tag;
        self
    }

    pub fn a(&mut self, name: &str, value: impl Display) -> &mut Svg {
        let _ = write!(self.out, " {name}=\"");
        self.escaped(value);
        self.out.push('"');
        self
    }

    /// An attribute that is left out when there is nothing to say.
    pub fn a_opt(&mut self, name: &str, value: Option<impl Display>) -> &mut Svg {
        if let Some(v) = value {
            self.a(name, v);
        }
        self
    }

    /// Ends an element without children.
    pub fn end(&mut self) {
        self.out.push_str("/>");
        self.tag = "";
    }

    /// Ends a start tag: children follow, then `close`.
    pub fn open(&mut self) {
        self.out.push('>');
        self.tag = "";
    }

    pub fn close(&mut self, tag: &str) {
        if !self.tag.is_empty() {
            self.open();
        }
        let _ = write!(self.out, "</{tag}>");
    }

    /// Ends an element with `text` as its only child.
    pub fn text(&mut self, text: impl Display) {
        let tag = self.tag;
        self.open();
        self.escaped(text);
        self.close(tag);
    }

    /// `value` as text that cannot end an attribute or start a tag.
    fn escaped(&mut self, value: impl Display) {
        let from = self.out.len();
        let _ = write!(self.out, "{value}");
        if self.out[from..].contains(['&', '<', '>', '"']) {
            let raw = self.out.split_off(from);
            for c in raw.chars() {
                match c {
                    '&' => self.out.push_str("&amp;"),
                    '<' => self.out.push_str("&lt;"),
                    '>' => self.out.push_str("&gt;"),
                    '"' => self.out.push_str("&quot;"),
                    c => self.out.push(c),
                }
            }
        }
    }

    /// The x axis's title under the plot.
    pub fn x_label(&mut self, h: f64, text: &str) {
        self.tag("text")
            .a("class", "label")
            .a("x", (LEFT + W - RIGHT) / 2.0)
            .a("y", h - 6.0)
            .a("text-anchor", "middle")
            .text(text);
    }

    /// A y axis's title, turned to run up the left edge.
    pub fn y_label(&mut self, h: f64, text: &str) {
        self.tag("text")
            .a("class", "label")
            .a(
                "transform",
                format_args!("translate(14 {}) rotate(-90)", (TOP + h - BOTTOM) / 2.0),
            )
            .a("text-anchor", "middle")
            .text(text);
    }

    /// A grid line across the plot at `y`, labelled at the left.
    pub fn y_tick(&mut self, y: f64, label: impl Display) {
        self.tag("g").open();
        self.line(Some("grid"), (LEFT, W - RIGHT), (y, y));
        self.tag("text")
            .a("x", LEFT - 6.0)
            .a("y", y + 4.0)
            .a("text-anchor", "end")
            .text(label);
        self.close("g");
    }

    /// A label under the plot at `x`.
    pub fn x_tick(&mut self, h: f64, x: f64, anchor: &str, label: impl Display) {
        self.tag("text")
            .a("x", x)
            .a("y", h - BOTTOM + 16.0)
            .a("text-anchor", anchor)
            .text(label);
    }

    /// The x axis: a label under the plot for each tick (where it is, how
    /// its text is anchored there, the text), and the axis's title.
    pub fn x_axis<L: Display>(
        &mut self,
        h: f64,
        ticks: impl IntoIterator<Item = (f64, &'static str, L)>,
        title: &str,
    ) {
        self.tag("g").a("class", "axis x");
        for (x, anchor, label) in ticks {
            self.x_tick(h, x, anchor, label);
        }
        self.x_label(h, title);
        self.close("g");
    }

    pub fn line(&mut self, class: Option<&str>, (x1, x2): (f64, f64), (y1, y2): (f64, f64)) {
        self.tag("line")
            .a_opt("class", class)
            .a("x1", x1)
            .a("x2", x2)
            .a("y1", y1)
            .a("y2", y2)
            .end();
    }

    /// A line through `points`, as SVG writes them (`x,y x,y …`).
    pub fn polyline(&mut self, class: Option<&str>, points: impl IntoIterator<Item = (f64, f64)>) {
        self.tag("polyline").a_opt("class", class);
        self.out.push_str(" points=\"");
        for (i, (x, y)) in points.into_iter().enumerate() {
            let sep = if i == 0 { "" } else { " " };
            let _ = write!(self.out, "{sep}{x:.1},{y:.1}");
        }
        self.out.push('"');
        self.end();
    }

    /// The markup, with the `<svg>` closed.
    pub fn finish(mut self) -> String {
        self.close("svg");
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_drawing_starts_with_its_title_and_ends_closed() {
        let mut s = Svg::new("speedup", 260.0, "Speedup", Some("speedup-summary"));
        s.tag("line").a("x1", 0).end();
        assert_eq!(
            s.finish(),
            "<svg viewBox=\"0 0 640 260\" role=\"img\" aria-labelledby=\"speedup-title\" \
             aria-describedby=\"speedup-summary\"><title id=\"speedup-title\">Speedup</title>\
             <line x1=\"0\"/></svg>"
        );
    }

    #[test]
    fn text_and_attributes_are_escaped() {
        let mut s = Svg {
            out: String::new(),
            tag: "",
        };
        s.tag("text").a("data-x", "a\"b").text("1 < 2 & 3");
        assert_eq!(s.out, "<text data-x=\"a&quot;b\">1 &lt; 2 &amp; 3</text>");
    }

    #[test]
    fn an_x_axis_labels_its_ticks_and_names_itself() {
        let mut s = Svg {
            out: String::new(),
            tag: "",
        };
        s.x_axis(
            100.0,
            [(60.0, "middle", "1"), (600.0, "end", "2")],
            "workers",
        );
        assert_eq!(
            s.out,
            "<g class=\"axis x\"><text x=\"60\" y=\"74\" text-anchor=\"middle\">1</text>\
             <text x=\"600\" y=\"74\" text-anchor=\"end\">2</text>\
             <text class=\"label\" x=\"340\" y=\"94\" text-anchor=\"middle\">workers</text></g>"
        );
    }

    #[test]
    fn children_open_their_parent_and_close_in_order() {
        let mut s = Svg {
            out: String::new(),
            tag: "",
        };
        s.tag("g").a("class", "row");
        s.tag("rect").a("x", 1.5).end();
        s.polyline(None, [(0.0, 1.0), (2.5, 3.0)]);
        s.close("g");
        assert_eq!(
            s.out,
            "<g class=\"row\"><rect x=\"1.5\"/><polyline points=\"0.0,1.0 2.5,3.0\"/></g>"
        );
    }
}
