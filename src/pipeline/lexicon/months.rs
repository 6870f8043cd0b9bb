//! Month names and abbreviations, as documents print them, with their numbers: one table for
//! finding dates in a page's text (extraction) and for reading them back (evaluation).

/// English, French, German, Spanish, Dutch, Italian, Portuguese, Czech and Polish (genitive, as
/// dates print them: "5. března 2024"), Latvian (nominative and locative: "2024. gada 15. martā");
/// lower case, with and without accents where documents drop them.
pub const MONTHS: &[(&str, u32)] = &[
    // en
    ("january", 1),
    ("february", 2),
    ("march", 3),
    ("april", 4),
    ("may", 5),
    ("june", 6),
    ("july", 7),
    ("august", 8),
    ("september", 9),
    ("october", 10),
    ("november", 11),
    ("december", 12),
    // fr
    ("janvier", 1),
    ("février", 2),
    ("mars", 3),
    ("avril", 4),
    ("mai", 5),
    ("juin", 6),
    ("juillet", 7),
    ("août", 8),
    ("septembre", 9),
    ("octobre", 10),
    ("novembre", 11),
    ("décembre", 12),
    // de
    ("januar", 1),
    ("februar", 2),
    ("märz", 3),
    ("juni", 6),
    ("juli", 7),
    ("oktober", 10),
    ("dezember", 12),
    // es
    ("enero", 1),
    ("febrero", 2),
    ("marzo", 3),
    ("abril", 4),
    ("mayo", 5),
    ("junio", 6),
    ("julio", 7),
    ("agosto", 8),
    ("septiembre", 9),
    ("octubre", 10),
    ("noviembre", 11),
    ("diciembre", 12),
    // nl
    ("januari", 1),
    ("februari", 2),
    ("maart", 3),
    ("mei", 5),
    ("augustus", 8),
    // it
    ("gennaio", 1),
    ("febbraio", 2),
    ("aprile", 4),
    ("maggio", 5),
    ("giugno", 6),
    ("luglio", 7),
    ("settembre", 9),
    ("ottobre", 10),
    ("dicembre", 12),
    // pt
    ("janeiro", 1),
    ("fevereiro", 2),
    ("março", 3),
    ("maio", 5),
    ("junho", 6),
    ("julho", 7),
    ("setembro", 9),
    ("outubro", 10),
    ("novembro", 11),
    ("dezembro", 12),
    // cs
    ("ledna", 1),
    ("února", 2),
    ("března", 3),
    ("dubna", 4),
    ("května", 5),
    ("června", 6),
    ("července", 7),
    ("srpna", 8),
    ("září", 9),
    ("října", 10),
    ("listopadu", 11),
    ("prosince", 12),
    // pl
    ("stycznia", 1),
    ("lutego", 2),
    ("marca", 3),
    ("kwietnia", 4),
    ("maja", 5),
    ("czerwca", 6),
    ("lipca", 7),
    ("sierpnia", 8),
    ("września", 9),
    ("października", 10),
    ("listopada", 11),
    ("grudnia", 12),
    // lv
    ("janvāris", 1),
    ("februāris", 2),
    ("marts", 3),
    ("aprīlis", 4),
    ("maijs", 5),
    ("jūnijs", 6),
    ("jūlijs", 7),
    ("augusts", 8),
    ("septembris", 9),
    ("oktobris", 10),
    ("novembris", 11),
    ("decembris", 12),
    // lv
    ("janvārī", 1),
    ("februārī", 2),
    ("martā", 3),
    ("aprīlī", 4),
    ("maijā", 5),
    ("jūnijā", 6),
    ("jūlijā", 7),
    ("augustā", 8),
    ("septembrī", 9),
    ("oktobrī", 10),
    ("novembrī", 11),
    ("decembrī", 12),
    // abbreviations and spellings without accents
    ("jan", 1),
    ("feb", 2),
    ("mar", 3),
    ("apr", 4),
    ("jun", 6),
    ("jul", 7),
    ("aug", 8),
    ("sep", 9),
    ("sept", 9),
    ("oct", 10),
    ("nov", 11),
    ("dec", 12),
    ("fevrier", 2),
    ("aout", 8),
    ("decembre", 12),
    ("janv", 1),
    ("févr", 2),
    ("fevr", 2),
    ("avr", 4),
    ("juil", 7),
    ("déc", 12),
    ("jänner", 1),
    ("maerz", 3),
    ("marz", 3),
    ("mär", 3),
    ("mrz", 3),
    ("okt", 10),
    ("dez", 12),
    ("setiembre", 9),
    ("ene", 1),
    ("abr", 4),
    ("ago", 8),
    ("dic", 12),
    ("mrt", 3),
    ("gen", 1),
    ("mag", 5),
    ("giu", 6),
    ("lug", 7),
    ("set", 9),
    ("ott", 10),
    ("marco", 3),
    ("fev", 2),
    ("fév", 2),
    ("out", 10),
];

/// The number of a month name or abbreviation (any case, a trailing dot allowed).
pub fn number(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.').to_lowercase();
    MONTHS.iter().find(|(n, _)| *n == w).map(|(_, m)| *m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_every_language_have_their_number() {
        for (word, n) in [
            ("März", 3),
            ("août", 8),
            ("Sept.", 9),
            ("října", 10),
            ("grudnia", 12),
            ("martā", 3),
            ("MEI", 5),
        ] {
            assert_eq!(number(word), Some(n), "{word}");
        }
        assert_eq!(number("monday"), None);
        let mut names: Vec<&str> = MONTHS.iter().map(|(n, _)| *n).collect();
        names.sort_unstable();
        let len = names.len();
        names.dedup();
        assert_eq!(names.len(), len, "a name is listed twice");
    }
}
