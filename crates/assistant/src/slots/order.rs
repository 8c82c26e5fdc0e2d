//! Order numbers: 18 digits (DESIGN §2), written plainly or in groups (`2025 0504 1234 5678 90`,
//! `202505-041234-567890`), full-width digits allowed.

use weiquan_text::normalize::fold_char;

/// Every distinct order number in `text`, in order of first mention.
///
/// A run of exactly 18 digits is one. Groups of 2–8 digits joined by one space or one dash are
/// one too when together they make exactly 18 digits and no single group is already 18 long;
/// any other run (17, 19 digits, a phone number, a longer group chain) is not an order number.
pub fn order_numbers(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().map(fold_char).collect();
    let mut found: Vec<String> = vec![];
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        // A chain of digit groups starting at i.
        let mut groups: Vec<(usize, usize)> = vec![];
        let mut j = i;
        loop {
            let start = j;
            while j < chars.len() && chars[j].is_ascii_digit() {
                j += 1;
            }
            groups.push((start, j));
            let sep = chars.get(j).copied();
            let next_is_digit = chars.get(j + 1).is_some_and(|c| c.is_ascii_digit());
            if matches!(sep, Some(' ') | Some('-')) && next_is_digit {
                j += 1;
            } else {
                break;
            }
        }
        let collect = |a: usize, b: usize| -> String { chars[a..b].iter().collect() };
        let total: usize = groups.iter().map(|(a, b)| b - a).sum();
        if groups.len() > 1 && total == 18 && groups.iter().all(|(a, b)| (2..=8).contains(&(b - a)))
        {
            let joined: String = groups.iter().map(|&(a, b)| collect(a, b)).collect();
            push_unique(&mut found, joined);
        } else {
            for &(a, b) in &groups {
                if b - a == 18 {
                    push_unique(&mut found, collect(a, b));
                }
            }
        }
        i = j.max(i + 1);
    }
    found
}

fn push_unique(found: &mut Vec<String>, n: String) {
    if !found.contains(&n) {
        found.push(n);
    }
}

/// The order number when the text names exactly one (repeating it is fine); `None` when it names
/// none or several different ones, so that the dialogue asks which.
pub fn order_no(text: &str) -> Option<String> {
    let mut all = order_numbers(text);
    if all.len() == 1 { all.pop() } else { None }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_exactly_eighteen_digits() {
        let n = "202505041234567890";
        assert_eq!(order_no(&format!("订单号{n}，还没发货")), Some(n.into()));
        assert_eq!(order_no(&format!("order #{n}!")), Some(n.into()));
        assert_eq!(order_no(&format!("订单 {n} 和 {n}")), Some(n.into()));
        assert_eq!(
            order_no("２０２５０５０４１２３４５６７８９０"),
            Some(n.into())
        );
        assert_eq!(
            order_no("订单号 2025 0504 1234 5678 90 没发货"),
            Some(n.into())
        );
        assert_eq!(order_no("单号202505-041234-567890"), Some(n.into()));
        assert_eq!(order_no("买了3 202505041234567890 这单"), Some(n.into()));
    }

    #[test]
    fn rejects_other_numbers() {
        assert_eq!(order_no("订单号20250504123456789"), None); // 17 digits
        assert_eq!(order_no("订单号2025050412345678901"), None); // 19 digits
        assert_eq!(
            order_no("电话 138-1234-5678，快递单号 SF1234567890123"),
            None
        );
        assert_eq!(order_no("没有订单号"), None);
        let two = "订单202505041234567890和202505041234567891都没到";
        assert_eq!(order_no(two), None);
        assert_eq!(order_numbers(two).len(), 2);
    }
}
