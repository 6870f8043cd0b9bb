//! Optimal pairing of two lists (the Hungarian algorithm, O(n³)): which actual line item
//! stands for which expected one, maximizing the total similarity. The accelerator pairs list
//! rows the same way, so a line item found in another order is still the same line item.

/// `similarity[i][j]` in 0..=1 for expected row `i` and actual row `j`. Returns for each
/// expected row the actual row paired with it; rows beyond the shorter list stay unpaired.
pub fn pair(similarity: &[Vec<f64>]) -> Vec<Option<usize>> {
    let n_rows = similarity.len();
    let n_cols = similarity.first().map_or(0, Vec::len);
    if n_rows == 0 || n_cols == 0 {
        return vec![None; n_rows];
    }
    // Square cost matrix (padding costs 1, the cost of pairing with nothing).
    let n = n_rows.max(n_cols);
    let cost = |i: usize, j: usize| -> f64 {
        if i < n_rows && j < n_cols {
            1.0 - similarity[i][j]
        } else {
            1.0
        }
    };
    // Potentials and matching, 1-based as in the classic formulation.
    let mut u = vec![0.0; n + 1];
    let mut v = vec![0.0; n + 1];
    let mut p = vec![0usize; n + 1];
    let mut way = vec![0usize; n + 1];
    for i in 1..=n {
        p[0] = i;
        let mut j0 = 0;
        let mut minv = vec![f64::INFINITY; n + 1];
        let mut used = vec![false; n + 1];
        loop {
            used[j0] = true;
            let i0 = p[j0];
            let mut delta = f64::INFINITY;
            let mut j1 = 0;
            for j in 1..=n {
                if !used[j] {
                    let cur = cost(i0 - 1, j - 1) - u[i0] - v[j];
                    if cur < minv[j] {
                        minv[j] = cur;
                        way[j] = j0;
                    }
                    if minv[j] < delta {
                        delta = minv[j];
                        j1 = j;
                    }
                }
            }
            for j in 0..=n {
                if used[j] {
                    u[p[j]] += delta;
                    v[j] -= delta;
                } else {
                    minv[j] -= delta;
                }
            }
            j0 = j1;
            if p[j0] == 0 {
                break;
            }
        }
        loop {
            let j1 = way[j0];
            p[j0] = p[j1];
            j0 = j1;
            if j0 == 0 {
                break;
            }
        }
    }
    let mut out = vec![None; n_rows];
    for (j, &i) in p.iter().enumerate().skip(1) {
        if i >= 1 && i <= n_rows && j <= n_cols {
            out[i - 1] = Some(j - 1);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_rows_in_another_order() {
        let s = vec![
            vec![0.0, 1.0, 0.2],
            vec![1.0, 0.0, 0.1],
            vec![0.3, 0.2, 0.9],
        ];
        assert_eq!(pair(&s), vec![Some(1), Some(0), Some(2)]);
    }

    #[test]
    fn best_total_not_greedy() {
        // Greedy would give row 0 column 0 (0.9) and leave row 1 with 0.0; the optimum is
        // 0.8 + 0.8.
        let s = vec![vec![0.9, 0.8], vec![0.8, 0.0]];
        assert_eq!(pair(&s), vec![Some(1), Some(0)]);
    }

    #[test]
    fn uneven_lists_leave_rows_unpaired() {
        let s = vec![vec![0.1], vec![0.9], vec![0.2]];
        assert_eq!(pair(&s), vec![None, Some(0), None]);
        let s = vec![vec![0.1, 0.9, 0.3]];
        assert_eq!(pair(&s), vec![Some(1)]);
        assert_eq!(pair(&[]), Vec::<Option<usize>>::new());
        assert_eq!(pair(&[vec![], vec![]]), vec![None, None]);
    }
}
