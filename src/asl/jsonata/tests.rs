//! Evaluator tests written from the JSONata reference (docs.jsonata.org): path operators,
//! predicates, sorting and grouping, operators, functions, and the limits.

use serde_json::{Value, json};

use super::test_support::{eval, fails, orders};
use super::{Error, Expression, Limits};

fn address() -> Value {
    json!({
        "FirstName": "Fred",
        "Surname": "Smith",
        "Age": 28,
        "Address": {"Street": "Hursley Park", "City": "Winchester", "Postcode": "SO21 2JN"},
        "Phone": [
            {"type": "home", "number": "0203 544 1234"},
            {"type": "office", "number": "01962 001234"},
            {"type": "office", "number": "01962 001235"},
            {"type": "mobile", "number": "077 7700 1234"}
        ],
        "Email": [
            {"type": "work", "address": ["fred.smith@my-work.com", "fsmith@my-work.com"]},
            {"type": "home", "address": ["freddy@my-social.com", "frederic.smith@very-serious.com"]}
        ],
        "Other": {"Over 18 ?": true, "Misc": null, "Alternative.Address": {"Street": "Brick Lane", "City": "London"}}
    })
}

fn check(cases: &[(&str, Value)], input: &Value) {
    for (expr, want) in cases {
        assert_eq!(eval(expr, input).as_ref(), Some(want), "{expr}");
    }
}

#[test]
fn path_navigation_from_the_reference() {
    let a = address();
    check(
        &[
            ("Surname", json!("Smith")),
            ("Address.City", json!("Winchester")),
            (
                "Phone[0]",
                json!({"type": "home", "number": "0203 544 1234"}),
            ),
            ("Phone[-1].number", json!("077 7700 1234")),
            ("Phone[0].number", json!("0203 544 1234")),
            (
                "Phone.number[0]",
                json!([
                    "0203 544 1234",
                    "01962 001234",
                    "01962 001235",
                    "077 7700 1234"
                ]),
            ),
            ("(Phone.number)[0]", json!("0203 544 1234")),
            ("Phone[type='mobile'].number", json!("077 7700 1234")),
            (
                "Phone[type='office'].number",
                json!(["01962 001234", "01962 001235"]),
            ),
            (
                "Address.*",
                json!(["Hursley Park", "Winchester", "SO21 2JN"]),
            ),
            (
                "Email.address",
                json!([
                    "fred.smith@my-work.com",
                    "fsmith@my-work.com",
                    "freddy@my-social.com",
                    "frederic.smith@very-serious.com"
                ]),
            ),
            (
                "Email[type='home'].address[1]",
                json!("frederic.smith@very-serious.com"),
            ),
            ("Other.`Over 18 ?`", json!(true)),
            ("Other.Misc", json!(null)),
            ("Phone[type='mobile'].number[]", json!(["077 7700 1234"])),
            ("$count(Phone[[0..1]])", json!(2)),
            ("$count(**.type)", json!(6)),
        ],
        &a,
    );
    assert_eq!(eval("Other.Nothing", &a), None);
    assert_eq!(eval("Phone[type='fax']", &a), None);
}

#[test]
fn sequences_sorting_and_grouping() {
    let o = orders();
    check(
        &[
            (
                "$sum(Account.Order.Product.(Price * Quantity))",
                json!(336.36),
            ),
            (
                "Account.Order.Product.SKU",
                json!(["0406654608", "0406634348", "040657863", "0406654603"]),
            ),
            ("Account.Order[0].Product[0].Price", json!(34.45)),
            (
                "Account.Order.Product^(Price).`Product Name`",
                json!(["Trilby hat", "Bowler Hat", "Bowler Hat", "Cloak"]),
            ),
            (
                "Account.Order.Product^(>Price, <Quantity).Quantity",
                json!([1, 2, 4, 1]),
            ),
            (
                "Account.Order.Product{`Product Name`: $sum(Quantity)}",
                json!({"Bowler Hat": 6, "Trilby hat": 1, "Cloak": 1}),
            ),
            (
                "Account.Order.Product{`Product Name`: Price}",
                json!({"Bowler Hat": [34.45, 34.45], "Trilby hat": 21.67, "Cloak": 107.99}),
            ),
            (
                "Account.Order.{'id': OrderID, 'n': $count(Product)}",
                json!([{"id": "order103", "n": 2}, {"id": "order104", "n": 2}]),
            ),
            (
                "Account.Order.[OrderID]",
                json!([["order103"], ["order104"]]),
            ),
            ("[Account.Order.OrderID]", json!(["order103", "order104"])),
            ("$count(**.ProductID)", json!(4)),
            (
                "Account.Order.Product[Price > 30 and Quantity > 1].SKU",
                json!(["0406654608", "040657863"]),
            ),
            (
                "Account.Order.Product.Price[0]",
                json!([34.45, 21.67, 34.45, 107.99]),
            ),
            (
                "Account.Order[OrderID in ['order104']].Product.ProductID",
                json!([858383, 345664]),
            ),
        ],
        &o,
    );
}

#[test]
fn operators_and_literals() {
    let n = json!({});
    check(
        &[
            ("1 + 2 * 3 - 4 / 2", json!(5)),
            ("7 % 3", json!(1)),
            ("-(3 + 2)", json!(-5)),
            (
                "'a' & 1 & true & null & [1,2] & {'k': 'v'}",
                json!("a1truenull[1,2]{\"k\":\"v\"}"),
            ),
            ("[1..5]", json!([1, 2, 3, 4, 5])),
            ("[1..3, 7, [8, 9]]", json!([1, 2, 3, 7, [8, 9]])),
            ("3 in [1, 2, 3]", json!(true)),
            ("'x' in 'x'", json!(true)),
            (
                "1 = 1.0 and 'a' != 'b' and [1,{'a':2}] = [1,{'a':2}]",
                json!(true),
            ),
            (
                "1 < 2 and 'abc' < 'abd' and 2 >= 2 and 3 <= 2 = false",
                json!(true),
            ),
            ("true ? 'yes' : 'no'", json!("yes")),
            ("nothing ?: 'fallback'", json!("fallback")),
            ("0 ?: 'falsy'", json!("falsy")),
            ("nothing ?? 'default'", json!("default")),
            ("0 ?? 'default'", json!(0)),
            ("( $a := 2; $b := $a * 3; $a + $b )", json!(8)),
            ("($f := function($x, $y){ $x * $y }; $f(3, 4))", json!(12)),
            (
                "($add := function($a, $b){$a + $b}; $inc := $add(?, 1); $inc(41))",
                json!(42),
            ),
            ("'hello' ~> $uppercase()", json!("HELLO")),
            (
                "($up := $substring(?, 0, 3) ~> $uppercase; $up('abcdef'))",
                json!("ABC"),
            ),
            (
                "($fact := function($n){ $n <= 1 ? 1 : $n * $fact($n - 1) }; $fact(10))",
                json!(3628800),
            ),
            ("{'a': 1, 'b': [1, 2]}", json!({"a": 1, "b": [1, 2]})),
            ("/* comment */ \"double\" & 'single'", json!("doublesingle")),
            ("$match('ab12cd345', /[0-9]+/).match", json!(["12", "345"])),
        ],
        &n,
    );
    assert_eq!(eval("nothing + 1", &n), None);
    assert_eq!(eval("false ? 'yes'", &n), None);
    assert_eq!(eval("nothing = 1", &n), Some(json!(false)));
}

#[test]
fn string_functions() {
    let n = json!({"s": "  Hello   World  "});
    check(
        &[
            ("$string(5)", json!("5")),
            ("$string(1/3)", json!("0.333333333333333")),
            ("$string({'a': 1.50})", json!("{\"a\":1.5}")),
            ("$length('héllo')", json!(5)),
            ("$substring('Hello World', 3)", json!("lo World")),
            ("$substring('Hello World', 3, 5)", json!("lo Wo")),
            ("$substring('Hello World', -4)", json!("orld")),
            ("$substring('Hello World', -4, 2)", json!("or")),
            ("$substringBefore('Hello World', ' ')", json!("Hello")),
            ("$substringAfter('Hello World', ' ')", json!("World")),
            ("$uppercase('Hello')", json!("HELLO")),
            ("$lowercase('Hello')", json!("hello")),
            ("$trim(s)", json!("Hello World")),
            ("$pad('foo', 5)", json!("foo  ")),
            ("$pad('foo', -5, '#')", json!("##foo")),
            ("$contains('abracadabra', 'bra')", json!(true)),
            ("$contains('abracadabra', /a.*a/)", json!(true)),
            (
                "$split('so many words', ' ')",
                json!(["so", "many", "words"]),
            ),
            ("$split('so many words', ' ', 2)", json!(["so", "many"])),
            (
                "$split('too much, punctuation. hard; to read', /[ ,.;]+/)",
                json!(["too", "much", "punctuation", "hard", "to", "read"]),
            ),
            ("$join(['a','b','c'], '-')", json!("a-b-c")),
            (
                "$replace('John Smith and John Jones', 'John', 'Mr')",
                json!("Mr Smith and Mr Jones"),
            ),
            (
                "$replace('John Smith', /(\\w+)\\s(\\w+)/, '$2, $1')",
                json!("Smith, John"),
            ),
            ("$replace('265USD', /([0-9]+)USD/, '$$$1')", json!("$265")),
            (
                "$base64encode('myuser:mypassword')",
                json!("bXl1c2VyOm15cGFzc3dvcmQ="),
            ),
            (
                "$base64decode('bXl1c2VyOm15cGFzc3dvcmQ=')",
                json!("myuser:mypassword"),
            ),
            ("$formatNumber(12345.6, '#,###.00')", json!("12,345.60")),
            ("$formatBase(100, 2)", json!("1100100")),
            ("s.$trim()", json!("Hello World")),
        ],
        &n,
    );
}

#[test]
fn numeric_aggregate_boolean_array_object_functions() {
    let n = json!({"o": {"a": 1, "b": 2}});
    check(
        &[
            ("$number('1e3')", json!(1000)),
            ("$number(true)", json!(1)),
            ("$abs(-5)", json!(5)),
            ("$floor(5.8)", json!(5)),
            ("$ceil(5.2)", json!(6)),
            ("$round(123.456, 2)", json!(123.46)),
            ("$round(2.5)", json!(2)),
            ("$power(2, 8)", json!(256)),
            ("$sqrt(16)", json!(4)),
            ("$sum([1,2,3])", json!(6)),
            ("$max([1,5,3])", json!(5)),
            ("$min([4,2,8])", json!(2)),
            ("$average([1,2,3,4])", json!(2.5)),
            ("$count([1,2,3])", json!(3)),
            ("$boolean([])", json!(false)),
            ("$not('')", json!(true)),
            ("$exists(o.a) and $not($exists(o.z))", json!(true)),
            ("$append([1,2], [3])", json!([1, 2, 3])),
            ("$append(1, 2)", json!([1, 2])),
            ("$sort([3,1,2])", json!([1, 2, 3])),
            (
                "$sort([{'n':2},{'n':1}], function($l, $r){ $l.n > $r.n }).n",
                json!([1, 2]),
            ),
            ("$reverse([1,2,3])", json!([3, 2, 1])),
            ("$count($shuffle([1,2,3,4]))", json!(4)),
            (
                "$distinct([1,2,2,'a','a',[1],[1]])",
                json!([1, 2, "a", [1]]),
            ),
            (
                "$zip([1,2,3], [4,5], [7,8,9])",
                json!([[1, 4, 7], [2, 5, 8]]),
            ),
            ("$keys(o)", json!(["a", "b"])),
            ("$lookup(o, 'b')", json!(2)),
            ("$spread(o)", json!([{"a": 1}, {"b": 2}])),
            ("$merge([{'a':1},{'b':2},{'a':3}])", json!({"a": 3, "b": 2})),
            (
                "$each(o, function($v, $k){ $k & '=' & $v })",
                json!(["a=1", "b=2"]),
            ),
            ("$sift(o, function($v){ $v > 1 })", json!({"b": 2})),
            (
                "[$type(1), $type('s'), $type(null), $type([]), $type({}), $type($sum)]",
                json!(["number", "string", "null", "array", "object", "function"]),
            ),
            (
                "$map([1,2,3], function($v, $i){ $v * 10 + $i })",
                json!([10, 21, 32]),
            ),
            (
                "$filter([1,2,3,4], function($v){ $v % 2 = 0 })",
                json!([2, 4]),
            ),
            (
                "$reduce([1,2,3,4], function($acc, $v){ $acc + $v })",
                json!(10),
            ),
            (
                "$reduce([1,2,3], function($acc, $v){ $acc * $v }, 10)",
                json!(60),
            ),
            ("$single([1,2,3], function($v){ $v = 2 })", json!(2)),
            (
                "$fromMillis(1510067557121)",
                json!("2017-11-07T15:12:37.121Z"),
            ),
            (
                "$toMillis('2017-11-07T15:07:54.972Z')",
                json!(1510067274972_i64),
            ),
            (
                "$partition([1,2,3,4,5,6,7,8,9], 4)",
                json!([[1, 2, 3, 4], [5, 6, 7, 8], [9]]),
            ),
            ("$range(0, 10, 2)", json!([0, 2, 4, 6, 8, 10])),
            ("$range(5, 1, -2)", json!([5, 3, 1])),
            (
                "$hash('input data', 'SHA-1')",
                json!("aaff4a450a104cd177d28d18d74485e8cae074b7"),
            ),
            ("$parse('{\"a\": [1, 2]}').a[1]", json!(2)),
            ("$random(42) = $random(42)", json!(true)),
            ("$length($uuid())", json!(36)),
        ],
        &n,
    );
}

#[test]
fn errors_are_errors() {
    let n = json!({"s": "x"});
    for (expr, code) in [
        ("'a' + 1", "T2001"),
        ("1 + 'a'", "T2002"),
        ("1 < 'a'", "T2009"),
        ("1 / 0", "D1001"),
        ("$error('boom')", "D3137"),
        ("$assert(false, 'nope')", "D3141"),
        ("$single([1,2], function($v){true})", "D3138"),
        ("$sqrt(-1)", "D3060"),
        ("$number('abc')", "D3030"),
        ("nope()", "T1006"),
        ("$substring(1, 2, 3, 4)", "T0410"),
        ("$parse('{')", "D3140"),
        ("$hash('x', 'CRC')", "D3137"),
        ("$range(1, 5000, 1)", "D2014"),
        ("{1: 2}", "T1003"),
    ] {
        match fails(expr, &n) {
            Error::Eval { code: c, .. } => assert_eq!(c, code, "{expr}"),
            other => panic!("{expr}: {other}"),
        }
    }
}

/// Expressions that would run for hours or build huge values. The time they take to be
/// refused is measured by `cargo bench --bench jsonata`, not asserted here.
const HOSTILE: [&str; 7] = [
    "($f := function(){ $f() }; $f())",
    "[1..1000000].[1..1000000]",
    "$count([1..100000000])",
    "($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(100000))",
    "$reduce([1..100000], function($a, $v){ [[$a]] }, [])",
    "$reduce([1..100000], function($a, $v){ {'a': $a} }, {})",
    "($f := function($n){ $n = 0 ? [] : [[[[[[[[[[$f($n - 1)]]]]]]]]]] }; $f(240))",
];

#[test]
fn hostile_expressions_end_with_a_limit_error() {
    let n = json!({});
    for expr in HOSTILE {
        let e = fails(expr, &n);
        assert!(
            matches!(e, Error::Limit { .. } | Error::Eval { code: "D2014", .. }),
            "{expr}: {e}"
        );
    }
    // Work is bounded by the counters, not by luck: with limits a thousand times smaller
    // each expression still ends with a limit error rather than finishing.
    let small = Limits {
        steps: 5_000,
        depth: 250,
        items: 1_000,
    };
    for expr in HOSTILE {
        let e = Expression::parse(expr)
            .unwrap()
            .evaluate(Some(&n), &|_| None, std::time::SystemTime::now(), small)
            .unwrap_err();
        assert!(
            matches!(e, Error::Limit { .. } | Error::Eval { code: "D2014", .. }),
            "{expr}: {e}"
        );
    }
    // The default depth limit fits in a 2 MiB thread stack (Map iterations run on threads).
    let h = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(|| {
            let e = Expression::parse(
                "($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(100000))",
            )
            .unwrap()
            .evaluate(
                None,
                &|_| None,
                std::time::SystemTime::now(),
                Limits::default(),
            )
            .unwrap_err();
            matches!(e, Error::Limit { .. })
        })
        .unwrap();
    assert!(h.join().unwrap());
}
