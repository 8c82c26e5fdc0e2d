//! The dashboard's charts, drawn on the server as SVG with plotters (SVG backend only: text is
//! left to the browser's fonts, so Chinese labels render as well as English ones).

use chrono::NaiveDate;
use plotters::prelude::*;
use weiquan_domain::Lang;

const W: u32 = 720;
const H: u32 = 320;
/// The two charts side by side are drawn smaller, so that their text is not scaled down.
const SMALL: (u32, u32) = (480, 300);
const FONT: &str = "sans-serif";

/// Colours that stay apart in print and for most colour-blind readers (Okabe–Ito).
const COLOURS: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(213, 94, 0),
    RGBColor(120, 120, 120),
];

type Result<T> = std::result::Result<T, String>;

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Complaints per day, one line per category (the biggest few, the rest as "other").
pub fn per_day(
    title: &str,
    days: &[NaiveDate],
    series: &[(String, Vec<i64>)],
    lang: Lang,
) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (W, H)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let max = series
            .iter()
            .flat_map(|(_, v)| v.iter().copied())
            .max()
            .unwrap_or(0)
            .max(1);
        let n = days.len().max(2) as i32;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .caption(title, (FONT, 18))
            .x_label_area_size(28)
            .y_label_area_size(36)
            .build_cartesian_2d(0..n - 1, 0..max + max / 5 + 1)
            .map_err(err)?;
        let label = |x: &i32| {
            days.get(*x as usize)
                .map(|d| d.format("%m-%d").to_string())
                .unwrap_or_default()
        };
        chart
            .configure_mesh()
            .x_labels(8)
            .y_labels(6)
            .x_label_formatter(&label)
            .y_desc(lang.pick("件数", "complaints"))
            .label_style((FONT, 12))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(err)?;
        for (i, (name, values)) in series.iter().enumerate() {
            let colour = COLOURS[i % COLOURS.len()];
            chart
                .draw_series(LineSeries::new(
                    values.iter().enumerate().map(|(x, v)| (x as i32, *v)),
                    colour.stroke_width(2),
                ))
                .map_err(err)?
                .label(name.as_str())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(2))
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .label_font((FONT, 12))
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(200, 200, 200))
            .draw()
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// The room a column of names needs at `size` px: wide (CJK) characters a full em, others
/// about half, so that no name runs into the plot or into its neighbour.
fn names_width(names: impl Iterator<Item = usize>, size: u32) -> u32 {
    names.max().unwrap_or(0) as u32 * size / 2 + 12
}

fn em_halves(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

/// Horizontal bars, biggest on top, each with its name to the left (names of any length and
/// language stay apart, which names under vertical bars did not).
pub fn bars(title: &str, items: &[(String, i64)], x_desc: &str) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SMALL).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let max = items.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
        // Integer ranges are inclusive of their end in plotters: one segment per item.
        // Plotters draws no name on a one-segment axis: a lone bar sits on top of two.
        let n = items.len().max(2) as u32;
        let at = |i: usize| n - 1 - i as u32;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .caption(title, (FONT, 18))
            .x_label_area_size(36)
            .y_label_area_size(names_width(items.iter().map(|(k, _)| em_halves(k)), 14).min(220))
            .build_cartesian_2d(0..max + max / 5 + 1, (0u32..n - 1).into_segmented())
            .map_err(err)?;
        let label = |v: &SegmentValue<u32>| match v {
            SegmentValue::CenterOf(p) | SegmentValue::Exact(p) => items
                .get((n - 1).saturating_sub(*p) as usize)
                .map(|(k, _)| k.clone())
                .unwrap_or_default(),
            SegmentValue::Last => String::new(),
        };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n as usize)
            .y_label_formatter(&label)
            .x_labels(6)
            .x_desc(x_desc)
            .label_style((FONT, 14))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(err)?;
        chart
            .draw_series(
                Histogram::horizontal(&chart)
                    .style(COLOURS[0].filled())
                    .margin(4)
                    .data(items.iter().enumerate().map(|(i, (_, v))| (at(i), *v))),
            )
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// Two horizontal bars per group, drawn over each other: all (light) and the part that matters
/// (strong); the groups' names to the left, first on top.
pub fn share_bars(
    title: &str,
    groups: &[(String, i64, i64)],
    all_label: &str,
    part_label: &str,
) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SMALL).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let max = groups
            .iter()
            .map(|g| g.1.max(g.2))
            .max()
            .unwrap_or(0)
            .max(1);
        let n = groups.len().max(2) as u32;
        let at = |i: usize| n - 1 - i as u32;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .caption(title, (FONT, 18))
            .x_label_area_size(32)
            .y_label_area_size(names_width(groups.iter().map(|g| em_halves(&g.0)), 14).min(220))
            // Room on the right for the legend, clear of the bars.
            .build_cartesian_2d(0..max + max * 3 / 4 + 1, (0u32..n - 1).into_segmented())
            .map_err(err)?;
        let label = |v: &SegmentValue<u32>| match v {
            SegmentValue::CenterOf(p) | SegmentValue::Exact(p) => groups
                .get((n - 1).saturating_sub(*p) as usize)
                .map(|g| g.0.clone())
                .unwrap_or_default(),
            SegmentValue::Last => String::new(),
        };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n as usize)
            .y_label_formatter(&label)
            .x_labels(6)
            .label_style((FONT, 14))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(err)?;
        let light = RGBColor(190, 210, 230);
        let strong = RGBColor(213, 94, 0);
        chart
            .draw_series(
                Histogram::horizontal(&chart)
                    .style(light.filled())
                    .margin(10)
                    .data(groups.iter().enumerate().map(|(i, g)| (at(i), g.1))),
            )
            .map_err(err)?
            .label(all_label)
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], light.filled()));
        chart
            .draw_series(
                Histogram::horizontal(&chart)
                    .style(strong.filled())
                    .margin(22)
                    .data(groups.iter().enumerate().map(|(i, g)| (at(i), g.2))),
            )
            .map_err(err)?
            .label(part_label)
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], strong.filled()));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .label_font((FONT, 14))
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(200, 200, 200))
            .draw()
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_carry_their_labels_as_text() {
        let days: Vec<NaiveDate> = (1..=3)
            .map(|d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap())
            .collect();
        let svg = per_day(
            "每日投诉",
            &days,
            &[("质量问题".into(), vec![1, 3, 2])],
            Lang::Zh,
        )
        .unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("每日投诉") && svg.contains("质量问题"));
        for n in [1, 4] {
            let items: Vec<(String, i64)> = (0..n).map(|i| (format!("店铺{i}"), i + 1)).collect();
            let svg = bars("店铺", &items, "件数").unwrap();
            assert!(
                items.iter().all(|(k, _)| svg.contains(k.as_str())),
                "{n} bars"
            );
        }
        let svg = share_bars(
            "期限",
            &[("一级".into(), 4, 1), ("二级".into(), 0, 0)],
            "到期",
            "超时",
        )
        .unwrap();
        assert!(svg.contains("一级") && svg.contains("二级") && svg.contains("超时"));
    }
}
