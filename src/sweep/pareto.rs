//! The energy-latency Pareto front: the points no other point beats on
//! both energy and time. Refused points are never on it.

/// For each `(time, energy)` (None for a refused point), whether it is on
/// the front. Equal points are all on it. O(n log n): sort by time, then
/// energy, and keep each point that lowers the best energy seen so far.
pub fn front(points: &[Option<(f64, f64)>]) -> Vec<bool> {
    let mut order: Vec<usize> = (0..points.len()).filter(|&i| points[i].is_some()).collect();
    let key = |i: usize| points[i].unwrap_or_default();
    order.sort_by(|&a, &b| {
        let (ta, ea) = key(a);
        let (tb, eb) = key(b);
        ta.total_cmp(&tb).then(ea.total_cmp(&eb)).then(a.cmp(&b))
    });
    let mut on = vec![false; points.len()];
    let mut best: Option<(f64, f64)> = None;
    for i in order {
        let (t, e) = key(i);
        match best {
            // Same time and energy as the last point kept: also on the front.
            Some((bt, be)) if e == be && t == bt => on[i] = true,
            Some((_, be)) if e >= be => {}
            _ => {
                on[i] = true;
                best = Some((t, e));
            }
        }
    }
    on
}

#[cfg(test)]
mod tests {
    use super::front;

    #[test]
    fn dominated_points_are_off_the_front() {
        let p = [
            Some((1.0, 10.0)),
            Some((2.0, 5.0)),
            Some((2.0, 6.0)),
            Some((3.0, 5.0)),
            None,
            Some((4.0, 1.0)),
            Some((1.0, 10.0)),
        ];
        assert_eq!(front(&p), [true, true, false, false, false, true, true]);
    }

    #[test]
    fn brute_force_agrees() {
        // A fixed pseudo-random cloud with ties.
        let mut x = 12345u64;
        let mut pts = Vec::new();
        for _ in 0..200 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            pts.push(Some(((x >> 60) as f64, ((x >> 40) & 15) as f64)));
        }
        let dominated = |i: usize| {
            let (ti, ei) = pts[i].unwrap();
            pts.iter().any(|q| {
                let (t, e) = q.unwrap();
                t <= ti && e <= ei && (t < ti || e < ei)
            })
        };
        let want: Vec<bool> = (0..pts.len()).map(|i| !dominated(i)).collect();
        assert_eq!(front(&pts), want);
    }
}
