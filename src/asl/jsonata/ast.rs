//! The syntax tree the parser builds. Paths are already grouped into steps (JSONata's
//! `processAST`): `a.b[0].c` is one [`Node::Path`] of three steps, the `[0]` a stage of `b`.

use std::sync::Arc;

/// An expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// A number literal.
    Num(f64),
    /// A string literal.
    Str(String),
    /// `true`/`false`.
    Bool(bool),
    /// `null`.
    Null,
    /// `/pattern/flags`.
    Regex(RegexLit),
    /// A field name (only as a path step).
    Name(String),
    /// `*`.
    Wildcard,
    /// `**`.
    Descendants,
    /// `$name`; `$` is `""`, `$$` is `"$"`.
    Var(String),
    /// A location path.
    Path {
        /// The steps, in order.
        steps: Vec<Step>,
        /// `[]` somewhere: keep a singleton result as an array.
        keep: bool,
    },
    /// `expr[predicate]` on something that is not a path.
    Filter(Box<Node>, Box<Node>),
    /// `-expr`.
    Neg(Box<Node>),
    /// A binary operator (arithmetic, comparison, `and`, `or`, `&`, `in`).
    Binary(BinOp, Box<Node>, Box<Node>),
    /// `[a, b, 1..3]`.
    Array(Vec<Node>),
    /// `a..b` (inside an array constructor).
    Range(Box<Node>, Box<Node>),
    /// `{k: v}` applied to the context, or `expr{k: v}` (group-by).
    Group(Option<Box<Node>>, Vec<(Node, Node)>),
    /// `c ? a : b` (the else part optional).
    Condition(Box<Node>, Box<Node>, Option<Box<Node>>),
    /// `a ?: b`.
    Elvis(Box<Node>, Box<Node>),
    /// `a ?? b`.
    Coalesce(Box<Node>, Box<Node>),
    /// `( a; b; c )`.
    Block(Vec<Node>),
    /// `$x := expr`.
    Bind(String, Box<Node>),
    /// `function($a, $b) { body }`.
    Lambda {
        /// Parameter names without `$`.
        params: Vec<String>,
        /// The body, shared by every closure made from it.
        body: Arc<Node>,
    },
    /// `f(args)`; `None` arguments are `?` placeholders (partial application).
    Call(Box<Node>, Vec<Option<Node>>),
    /// `a ~> f`.
    Apply(Box<Node>, Box<Node>),
    /// `^(...)` as a path step: sort keys, `true` for descending.
    Sort(Vec<(Node, bool)>),
    /// `%`: the parent of the context item. The label names the tuple binding that the
    /// step producing the parent records (see [`Step::ancestors`]); it starts with `!`, which
    /// no variable name can.
    Parent(String),
    /// `#$name` after a step's predicates: binds the item's position in the filtered
    /// sequence (only as a stage of a [`Step`]).
    IndexStage(String),
    /// `| location | update [, delete] |`: a function that copies its argument and, in
    /// the copy, merges `update` into every object `location` selects and removes the
    /// `delete` keys.
    Transform {
        /// Selects the objects to change, on the copy.
        pattern: Arc<Node>,
        /// An object expression, evaluated on each selected object.
        update: Arc<Node>,
        /// Key names to remove from each selected object.
        delete: Option<Arc<Node>>,
    },
}

/// One step of a path, with its predicate stages and variable bindings. A step that binds
/// (`@`, `#`) or records a parent for a later `%` makes the rest of its path a stream of
/// tuples: each item with the variables bound along the way (JSONata's tuple streams).
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// What the step evaluates on each item.
    pub node: Node,
    /// `[...]` predicates applied to this step's result per input item, and `#$i` bindings
    /// written after them ([`Node::IndexStage`]).
    pub stages: Vec<Node>,
    /// `@$v`: each result item is bound to `$v` and the context stays the step's input.
    pub focus: Option<String>,
    /// `#$i` (before any predicate): each result item's position among its input item's
    /// results.
    pub index: Option<String>,
    /// Labels of `%` references that resolve to this step's input item.
    pub ancestors: Vec<String>,
}

impl Step {
    /// A step with no predicates or bindings.
    pub fn new(node: Node) -> Self {
        Self {
            node,
            stages: Vec::new(),
            focus: None,
            index: None,
            ancestors: Vec::new(),
        }
    }

    /// Does the step bind tuple variables (so its path is evaluated as a tuple stream)?
    pub fn binds(&self) -> bool {
        self.focus.is_some()
            || self.index.is_some()
            || !self.ancestors.is_empty()
            || self.stages.iter().any(|s| matches!(s, Node::IndexStage(_)))
    }
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Mod,
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `and`
    And,
    /// `or`
    Or,
    /// `&`
    Concat,
    /// `in`
    In,
}

/// A compiled regex literal; two are equal when their patterns are.
#[derive(Debug, Clone)]
pub struct RegexLit(pub Arc<regex::Regex>);

impl PartialEq for RegexLit {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_str() == other.0.as_str()
    }
}

/// Calls `f` on `node` and every node inside it.
pub fn walk(node: &Node, f: &mut dyn FnMut(&Node)) {
    f(node);
    let mut each = |n: &Node| walk(n, f);
    match node {
        Node::Path { steps, .. } => {
            for s in steps {
                each(&s.node);
                s.stages.iter().for_each(&mut each);
            }
        }
        Node::Filter(a, b)
        | Node::Binary(_, a, b)
        | Node::Range(a, b)
        | Node::Elvis(a, b)
        | Node::Coalesce(a, b)
        | Node::Apply(a, b) => {
            each(a);
            each(b);
        }
        Node::Neg(a) | Node::Bind(_, a) => each(a),
        Node::Array(items) | Node::Block(items) => items.iter().for_each(&mut each),
        Node::Group(base, pairs) => {
            if let Some(b) = base {
                each(b);
            }
            for (k, v) in pairs {
                each(k);
                each(v);
            }
        }
        Node::Condition(c, t, e) => {
            each(c);
            each(t);
            if let Some(e) = e {
                each(e);
            }
        }
        Node::Lambda { body, .. } => each(body),
        Node::Call(f, args) => {
            each(f);
            args.iter().flatten().for_each(&mut each);
        }
        Node::Sort(terms) => terms.iter().for_each(|(t, _)| each(t)),
        Node::Transform {
            pattern,
            update,
            delete,
        } => {
            each(pattern);
            each(update);
            if let Some(d) = delete {
                each(d);
            }
        }
        _ => {}
    }
}

/// The variables an expression reads that it does not bind itself (`:=`, lambda
/// parameters) and that are not `$`, `$$`, `$states` or a library function: the workflow
/// variables it needs.
pub fn free_variables(node: &Node) -> Vec<String> {
    let mut bound = std::collections::BTreeSet::new();
    walk(node, &mut |n| match n {
        Node::Bind(name, _) => {
            bound.insert(name.clone());
        }
        Node::Lambda { params, .. } => bound.extend(params.iter().cloned()),
        Node::IndexStage(name) => {
            bound.insert(name.clone());
        }
        Node::Path { steps, .. } => {
            for s in steps {
                bound.extend(s.focus.iter().chain(&s.index).cloned());
            }
        }
        _ => {}
    });
    let mut out: Vec<String> = Vec::new();
    walk(node, &mut |n| {
        if let Node::Var(name) = n
            && !name.is_empty()
            && name != "$"
            && name != "states"
            && !bound.contains(name)
            && super::functions::builtin(name).is_none()
            && !out.contains(name)
        {
            out.push(name.clone());
        }
    });
    out
}

/// True when the expression uses an operator newer than JSONata 2.0.6 (`?:`, `??`), the
/// version Step Functions implements.
pub fn uses_post_2_0_6_operators(node: &Node) -> bool {
    let mut found = false;
    walk(node, &mut |n| {
        found |= matches!(n, Node::Elvis(..) | Node::Coalesce(..));
    });
    found
}
