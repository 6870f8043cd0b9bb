//! A Pratt parser for JSONata (the binding powers of the reference implementation), building
//! paths into steps as it goes. Nesting is limited so hostile input ends with an error, not a
//! stack overflow.

use std::sync::Arc;

use super::ast::{BinOp, Node, RegexLit, Step};
use super::error::{Error, Result};
use super::lexer::{Tok, Token, tokenize};

/// The deepest nesting of sub-expressions the parser accepts.
pub const MAX_PARSE_DEPTH: usize = 100;

/// Parses a whole expression.
pub fn parse(text: &str) -> Result<Node> {
    let tokens = tokenize(text)?;
    let mut p = Parser {
        tokens,
        i: 0,
        depth: 0,
        parents: 0,
    };
    let mut node = p.expression(0)?;
    match &p.peek().kind {
        Tok::End => {
            if p.parents > 0 && !super::ancestry::resolve(&mut node)?.is_empty() {
                return Err(Error::syntax(
                    0,
                    "S0217: the object representing the parent (%) cannot be derived from this expression",
                ));
            }
            Ok(node)
        }
        other => Err(Error::syntax(
            p.peek().pos,
            format!(
                "unexpected {} after the end of the expression",
                describe(other)
            ),
        )),
    }
}

struct Parser {
    tokens: Vec<Token>,
    i: usize,
    depth: usize,
    /// `%` operators read so far: each gets its own label.
    parents: usize,
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Num(n) => format!("number {n}"),
        Tok::Str(s) => format!("string {s:?}"),
        Tok::Name(n, _) => format!("name {n:?}"),
        Tok::Var(v) => format!("variable ${v}"),
        Tok::Op(o) => format!("{o:?}"),
        Tok::Regex(p, _) => format!("regex /{p}/"),
        Tok::End => "end of expression".into(),
    }
}

/// Left binding power of an infix token.
fn lbp(t: &Tok) -> u8 {
    match t {
        Tok::Op(op) => match *op {
            "." => 75,
            "[" | "(" | "@" | "#" => 80,
            "{" => 70,
            "?" => 20,
            "+" | "-" | "&" => 50,
            "*" | "/" | "%" => 60,
            "=" | "<" | ">" | "!=" | "<=" | ">=" | "~>" | "?:" | "??" | "^" => 40,
            ".." => 20,
            ":=" => 10,
            _ => 0,
        },
        Tok::Name(n, false) => match n.as_str() {
            "and" => 30,
            "or" => 25,
            "in" => 40,
            _ => 0,
        },
        _ => 0,
    }
}

impl Parser {
    fn peek(&self) -> &Token {
        &self.tokens[self.i.min(self.tokens.len() - 1)]
    }

    fn next(&mut self) -> Token {
        let t = self.peek().clone();
        if self.i < self.tokens.len() {
            self.i += 1;
        }
        t
    }

    fn is_op(&self, op: &str) -> bool {
        matches!(&self.peek().kind, Tok::Op(o) if *o == op)
    }

    fn expect(&mut self, op: &str) -> Result<()> {
        if self.is_op(op) {
            self.next();
            Ok(())
        } else {
            let t = self.peek();
            Err(Error::syntax(
                t.pos,
                format!("expected {op:?}, found {}", describe(&t.kind)),
            ))
        }
    }

    fn expression(&mut self, rbp: u8) -> Result<Node> {
        self.depth += 1;
        if self.depth > MAX_PARSE_DEPTH {
            self.depth -= 1;
            return Err(depth_error());
        }
        let r = self.expression_inner(rbp);
        self.depth -= 1;
        r
    }

    /// One operand and the infix operators that follow it. Each operator that wraps `left`
    /// in a new node (`1+1+1…`, `f()()…`, `x ~> f ~> g…`) counts a level of nesting like a
    /// recursive call does, so the tree's depth stays within [`MAX_PARSE_DEPTH`] even where
    /// the loop builds it without recursing: every later walk over the tree (evaluation,
    /// `validate`'s variable scan, `Drop`) recurses once per level.
    fn expression_inner(&mut self, rbp: u8) -> Result<Node> {
        let t = self.next();
        let mut left = self.prefix(t)?;
        let mut grown = 0usize;
        let out = loop {
            if rbp >= lbp(&self.peek().kind) {
                break Ok(left);
            }
            let t = self.next();
            let was_path = matches!(left, Node::Path { .. });
            left = match self.infix(t, left) {
                Ok(n) => n,
                Err(e) => break Err(e),
            };
            // A step joined onto a path, or a predicate added to one, keeps the tree flat.
            if !(was_path && matches!(left, Node::Path { .. })) {
                grown += 1;
                self.depth += 1;
                if self.depth > MAX_PARSE_DEPTH {
                    break Err(depth_error());
                }
            }
        };
        self.depth -= grown;
        out
    }

    fn prefix(&mut self, t: Token) -> Result<Node> {
        Ok(match t.kind {
            Tok::Num(n) => Node::Num(n),
            Tok::Str(s) => Node::Str(s),
            Tok::Regex(p, flags) => {
                let mut b = regex::RegexBuilder::new(&p);
                b.case_insensitive(flags.contains('i'))
                    .multi_line(flags.contains('m'))
                    .size_limit(1 << 20);
                let re = b
                    .build()
                    .map_err(|e| Error::syntax(t.pos, format!("invalid regex /{p}/: {e}")))?;
                Node::Regex(RegexLit(Arc::new(re)))
            }
            Tok::Var(v) => Node::Var(v),
            Tok::Name(n, quoted) => {
                if !quoted {
                    match n.as_str() {
                        "true" => return Ok(Node::Bool(true)),
                        "false" => return Ok(Node::Bool(false)),
                        "null" => return Ok(Node::Null),
                        "function" if self.is_op("(") => return self.lambda(),
                        "and" | "or" | "in" => {
                            // JSONata lets these be field names in operand position.
                        }
                        _ => {}
                    }
                }
                path_of(Node::Name(n))
            }
            Tok::Op("-") => {
                let operand = self.expression(70)?;
                match operand {
                    Node::Num(n) => Node::Num(-n),
                    other => Node::Neg(Box::new(other)),
                }
            }
            Tok::Op("*") => path_of(Node::Wildcard),
            Tok::Op("**") => path_of(Node::Descendants),
            Tok::Op("(") => {
                let mut items = Vec::new();
                while !self.is_op(")") {
                    items.push(self.expression(0)?);
                    if !self.is_op(";") {
                        break;
                    }
                    self.next();
                }
                self.expect(")")?;
                Node::Block(items)
            }
            Tok::Op("[") => {
                let mut items = Vec::new();
                if !self.is_op("]") {
                    loop {
                        let item = self.expression(0)?;
                        let item = if self.is_op("..") {
                            self.next();
                            Node::Range(Box::new(item), Box::new(self.expression(0)?))
                        } else {
                            item
                        };
                        items.push(item);
                        if !self.is_op(",") {
                            break;
                        }
                        self.next();
                    }
                }
                self.expect("]")?;
                Node::Array(items)
            }
            Tok::Op("{") => Node::Group(None, self.pairs()?),
            Tok::Op("%") => {
                self.parents += 1;
                Node::Parent(format!("!{}", self.parents - 1))
            }
            Tok::Op("|") => {
                let pattern = self.expression(0)?;
                self.expect("|")?;
                let update = self.expression(0)?;
                let delete = if self.is_op(",") {
                    self.next();
                    Some(Arc::new(self.expression(0)?))
                } else {
                    None
                };
                self.expect("|")?;
                Node::Transform {
                    pattern: Arc::new(pattern),
                    update: Arc::new(update),
                    delete,
                }
            }
            other => {
                return Err(Error::syntax(
                    t.pos,
                    format!("unexpected {}", describe(&other)),
                ));
            }
        })
    }

    fn pairs(&mut self) -> Result<Vec<(Node, Node)>> {
        let mut pairs = Vec::new();
        if !self.is_op("}") {
            loop {
                let k = self.expression(0)?;
                self.expect(":")?;
                let v = self.expression(0)?;
                pairs.push((k, v));
                if !self.is_op(",") {
                    break;
                }
                self.next();
            }
        }
        self.expect("}")?;
        Ok(pairs)
    }

    fn lambda(&mut self) -> Result<Node> {
        self.expect("(")?;
        let mut params = Vec::new();
        if !self.is_op(")") {
            loop {
                let t = self.next();
                match t.kind {
                    Tok::Var(v) if !v.is_empty() && v != "$" => params.push(v),
                    other => {
                        return Err(Error::syntax(
                            t.pos,
                            format!(
                                "a function parameter must be a $name, found {}",
                                describe(&other)
                            ),
                        ));
                    }
                }
                if !self.is_op(",") {
                    break;
                }
                self.next();
            }
        }
        self.expect(")")?;
        // An optional signature `<...>` is accepted and not enforced.
        if self.is_op("<") {
            let mut depth = 0usize;
            loop {
                let t = self.next();
                match t.kind {
                    Tok::Op("<") => depth += 1,
                    Tok::Op(">") => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    Tok::End => return Err(Error::syntax(t.pos, "unfinished function signature")),
                    _ => {}
                }
            }
        }
        self.expect("{")?;
        let body = self.expression(0)?;
        self.expect("}")?;
        Ok(Node::Lambda {
            params,
            body: Arc::new(body),
        })
    }

    fn infix(&mut self, t: Token, left: Node) -> Result<Node> {
        let op = match &t.kind {
            Tok::Op(op) => *op,
            Tok::Name(n, false) if n == "and" => "and",
            Tok::Name(n, false) if n == "or" => "or",
            Tok::Name(n, false) if n == "in" => "in",
            other => {
                return Err(Error::syntax(
                    t.pos,
                    format!("unexpected {}", describe(other)),
                ));
            }
        };
        let bin = |op: BinOp, p: &mut Self, left: Node| -> Result<Node> {
            let right = p.expression(lbp(&t.kind))?;
            Ok(Node::Binary(op, Box::new(left), Box::new(right)))
        };
        Ok(match op {
            "+" => bin(BinOp::Add, self, left)?,
            "-" => bin(BinOp::Sub, self, left)?,
            "*" => bin(BinOp::Mul, self, left)?,
            "/" => bin(BinOp::Div, self, left)?,
            "%" => bin(BinOp::Mod, self, left)?,
            "=" => bin(BinOp::Eq, self, left)?,
            "!=" => bin(BinOp::Ne, self, left)?,
            "<" => bin(BinOp::Lt, self, left)?,
            "<=" => bin(BinOp::Le, self, left)?,
            ">" => bin(BinOp::Gt, self, left)?,
            ">=" => bin(BinOp::Ge, self, left)?,
            "and" => bin(BinOp::And, self, left)?,
            "or" => bin(BinOp::Or, self, left)?,
            "&" => bin(BinOp::Concat, self, left)?,
            "in" => bin(BinOp::In, self, left)?,
            ".." => Node::Range(Box::new(left), Box::new(self.expression(20)?)),
            "." => {
                let right = self.expression(75)?;
                join_paths(left, right)
            }
            ":=" => {
                let Node::Var(name) = left else {
                    return Err(Error::syntax(
                        t.pos,
                        "the left side of := must be a variable ($name)",
                    ));
                };
                if name.is_empty() || name == "$" {
                    return Err(Error::syntax(t.pos, "cannot assign to $ or $$"));
                }
                Node::Bind(name, Box::new(self.expression(9)?))
            }
            "?" => {
                let then = self.expression(0)?;
                let otherwise = if self.is_op(":") {
                    self.next();
                    Some(Box::new(self.expression(0)?))
                } else {
                    None
                };
                Node::Condition(Box::new(left), Box::new(then), otherwise)
            }
            "?:" => Node::Elvis(Box::new(left), Box::new(self.expression(40)?)),
            "??" => Node::Coalesce(Box::new(left), Box::new(self.expression(40)?)),
            "~>" => Node::Apply(Box::new(left), Box::new(self.expression(40)?)),
            "(" => {
                let mut args = Vec::new();
                if !self.is_op(")") {
                    loop {
                        if self.is_op("?")
                            && matches!(
                                self.tokens.get(self.i + 1).map(|t| &t.kind),
                                Some(Tok::Op("," | ")"))
                            )
                        {
                            self.next();
                            args.push(None);
                        } else {
                            args.push(Some(self.expression(0)?));
                        }
                        if !self.is_op(",") {
                            break;
                        }
                        self.next();
                    }
                }
                self.expect(")")?;
                Node::Call(Box::new(left), args)
            }
            "[" => {
                if self.is_op("]") {
                    self.next();
                    return Ok(match left {
                        Node::Path { steps, .. } => Node::Path { steps, keep: true },
                        other => Node::Path {
                            steps: vec![Step::new(other)],
                            keep: true,
                        },
                    });
                }
                let pred = self.expression(0)?;
                self.expect("]")?;
                match left {
                    Node::Path { mut steps, keep } => {
                        // After a sort, the evaluator applies the stage to the whole
                        // sorted sequence; after any other step, per input item.
                        let last = steps.last_mut().expect("paths have steps");
                        last.stages.push(pred);
                        Node::Path { steps, keep }
                    }
                    other => Node::Filter(Box::new(other), Box::new(pred)),
                }
            }
            "{" => Node::Group(Some(Box::new(left)), self.pairs()?),
            "^" => {
                self.expect("(")?;
                let mut terms = Vec::new();
                loop {
                    let desc = if self.is_op("<") {
                        self.next();
                        false
                    } else if self.is_op(">") {
                        self.next();
                        true
                    } else {
                        false
                    };
                    terms.push((self.expression(0)?, desc));
                    if !self.is_op(",") {
                        break;
                    }
                    self.next();
                }
                self.expect(")")?;
                join_paths(left, Node::Sort(terms))
            }
            "@" | "#" => {
                let v = self.next();
                let Tok::Var(name) = v.kind else {
                    return Err(Error::syntax(
                        v.pos,
                        format!("{op:?} must be followed by a variable ($name)"),
                    ));
                };
                if name.is_empty() || name == "$" {
                    return Err(Error::syntax(v.pos, format!("{op:?} cannot bind $ or $$")));
                }
                let mut path = match left {
                    p @ Node::Path { .. } => p,
                    other => path_of(other),
                };
                let Node::Path { steps, .. } = &mut path else {
                    unreachable!("made a path above")
                };
                let step = steps.last_mut().expect("paths have steps");
                if op == "@" {
                    if !step.stages.is_empty() {
                        return Err(Error::syntax(
                            t.pos,
                            "S0215: a context variable binding (@) must come before any predicates on a step",
                        ));
                    }
                    if matches!(step.node, Node::Sort(_)) {
                        return Err(Error::syntax(
                            t.pos,
                            "S0216: a context variable binding (@) cannot follow an order-by clause",
                        ));
                    }
                    step.focus = Some(name);
                } else if step.stages.is_empty() {
                    step.index = Some(name);
                } else {
                    step.stages.push(Node::IndexStage(name));
                }
                path
            }
            other => {
                return Err(Error::syntax(
                    t.pos,
                    format!("{other:?} cannot follow an expression here"),
                ));
            }
        })
    }
}

fn depth_error() -> Error {
    Error::Limit {
        what: "parser nesting depth",
        limit: MAX_PARSE_DEPTH,
    }
}

fn path_of(node: Node) -> Node {
    Node::Path {
        steps: vec![Step::new(node)],
        keep: false,
    }
}

/// `left.right` as one path: the steps of both sides (a string literal step is a name).
fn join_paths(left: Node, right: Node) -> Node {
    let mut keep = false;
    let mut steps = Vec::new();
    for side in [left, right] {
        match side {
            Node::Path { steps: s, keep: k } => {
                keep |= k;
                steps.extend(s);
            }
            Node::Str(s) => steps.push(Step::new(Node::Name(s))),
            other => steps.push(Step::new(other)),
        }
    }
    Node::Path { steps, keep }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steps(n: &Node) -> usize {
        match n {
            Node::Path { steps, .. } => steps.len(),
            _ => 0,
        }
    }

    #[test]
    fn paths_group_their_steps_and_predicates() {
        let n = parse("a.b[0].c").unwrap();
        assert_eq!(steps(&n), 3);
        let Node::Path { steps: s, .. } = &n else {
            panic!()
        };
        assert_eq!(s[1].stages, vec![Node::Num(0.0)]);
        assert!(matches!(parse("(a.b)[0]").unwrap(), Node::Filter(..)));
        assert!(matches!(
            parse("a[]").unwrap(),
            Node::Path { keep: true, .. }
        ));
    }

    #[test]
    fn precedence_and_associativity() {
        let Node::Binary(BinOp::Add, _, r) = parse("1 + 2 * 3").unwrap() else {
            panic!()
        };
        assert!(matches!(*r, Node::Binary(BinOp::Mul, ..)));
        let Node::Binary(BinOp::Or, l, _) = parse("a and b or c").unwrap() else {
            panic!()
        };
        assert!(matches!(*l, Node::Binary(BinOp::And, ..)));
        assert!(matches!(parse("$x := $y := 1").unwrap(), Node::Bind(..)));
        assert!(matches!(
            parse("a ? b : c").unwrap(),
            Node::Condition(_, _, Some(_))
        ));
    }

    #[test]
    fn lambdas_calls_and_placeholders() {
        let Node::Call(_, args) = parse("$f(?, 2)").unwrap() else {
            panic!()
        };
        assert_eq!(args[0], None);
        assert!(matches!(
            parse("function($a, $b)<n-n:n>{ $a + $b }").unwrap(),
            Node::Lambda { .. }
        ));
        assert!(matches!(parse("λ($x){$x}").unwrap(), Node::Lambda { .. }));
    }

    #[test]
    fn errors_say_where() {
        for bad in [
            "a.",
            "(1",
            "[1,",
            "{'a' 1}",
            "1 2",
            "$x := ",
            "function(a){1}",
            "a#i",
            "a@$",
            "a[0]@$x",
            "/[/",
            "%.a",
            "|a|{}",
        ] {
            let e = parse(bad).unwrap_err();
            assert!(matches!(e, Error::Syntax { .. }), "{bad}: {e}");
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_an_overflow() {
        let deep = "(".repeat(10_000) + &")".repeat(10_000);
        assert!(matches!(parse(&deep), Err(Error::Limit { .. })));
        let deep = "-".repeat(10_000) + "1";
        assert!(parse(&deep).is_err());
        // Operator chains build the tree in a loop: they count as nesting too.
        for deep in [
            "1".to_string() + &"+1".repeat(10_000),
            "$f".to_string() + &"()".repeat(10_000),
            "(1)".to_string() + &"[0]".repeat(10_000),
            "$x".to_string() + &" ~> $f".repeat(10_000),
        ] {
            assert!(
                matches!(parse(&deep), Err(Error::Limit { .. })),
                "{}",
                &deep[..20]
            );
        }
        // Long paths and predicate lists stay flat and parse.
        let long = vec!["a"; 1_000].join(".");
        assert!(parse(&long).is_ok());
        assert!(parse(&("a".to_string() + &"[0]".repeat(1_000))).is_ok());
        assert!(parse(&("1".to_string() + &"+1".repeat(MAX_PARSE_DEPTH - 2))).is_ok());
    }
}
