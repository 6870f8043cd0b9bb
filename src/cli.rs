//! The command line: global flags and one variant per subcommand. Parsing only; each command's
//! work lives in `commands/<name>.rs`.

use std::path::PathBuf;

use clap::{ArgAction, Args, Parser, Subcommand};

use crate::ui::OutputFormat;

#[derive(Debug, Parser)]
#[command(
    name = "idpctl",
    version,
    about = "Render, deploy and run a serverless intelligent-document-processing stack",
    long_about = "idpctl renders a serverless document-processing stack as CloudFormation, deploys it, \
                  and is also every Lambda function of that stack. `--profile local` runs the same \
                  stack on this machine without AWS."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    /// Without a command, inside Lambda (AWS_LAMBDA_RUNTIME_API set), idpctl runs `_HANDLER`.
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Profile name (profiles/<NAME>.yaml, or a built-in one) or a path to a profile file.
    #[arg(long, global = true, env = "IDPCTL_PROFILE", default_value = "local")]
    pub profile: String,

    /// Output format: text for people, json for scripts.
    #[arg(long, global = true, value_enum, env = "IDPCTL_OUTPUT", default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,

    /// More detail on stderr (repeat for more).
    #[arg(short, long, global = true, action = ArgAction::Count)]
    pub verbose: u8,

    /// Only errors on stderr.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// AWS region (overrides IDPCTL_REGION and the profile).
    #[arg(long, global = true)]
    pub region: Option<String>,

    /// CloudFormation stack name (overrides IDPCTL_STACK_NAME and the profile).
    #[arg(long, global = true)]
    pub stack_name: Option<String>,

    /// Read templates/ and stacks/ from this folder instead of the copies built into idpctl.
    #[arg(long, global = true, env = "IDPCTL_TEMPLATES_DIR", value_name = "DIR")]
    pub templates_dir: Option<PathBuf>,

    /// A class config (an accelerator `config.yaml`, a file of classes or a folder of them);
    /// repeat for more, later ones win. Overrides IDPCTL_CLASSES and the profile's `classes:`.
    #[arg(long, global = true, value_name = "PATH", action = ArgAction::Append)]
    pub classes: Vec<PathBuf>,

    /// `add`: the built-in classes plus yours (yours win on a name clash); `replace`: only yours.
    #[arg(long, global = true, value_name = "MODE", value_parser = ["add", "replace"])]
    pub classes_mode: Option<String>,

    /// Print the resolved settings as JSON and exit.
    #[arg(long, global = true, hide = true)]
    pub print_settings: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render the CloudFormation template, state machine definition and parameters.
    Render(RenderArgs),
    /// Render, then check everything: references, state machine, handlers, IAM, limits, linters.
    Validate(ValidateArgs),
    /// Process documents: files, folders, ZIP batches. On the local stack (the embedded default),
    /// or uploaded to a deployed stack's input bucket, waiting for its results.
    Process(ProcessArgs),
    /// Download the results of earlier uploads to a deployed stack (by input key).
    Results(ResultsArgs),
    /// Run a Lambda handler's Runtime API loop (what the deployed `bootstrap` does).
    Handler(HandlerArgs),
    /// Package, upload and deploy the stack through a change set (asks before changing anything).
    Deploy(DeployArgs),
    /// Show, set or clear the post-processing hook (PostProcessingLambdaHookFunctionArn) of the deployed stack.
    Hook(HookArgs),
    /// One screen on the deployed stack; exit 0 healthy, 1 degraded, 2 down or not deployed.
    Status(StatusArgs),
    /// Delete the deployed stack; buckets and tables it retains are kept and listed.
    Destroy(DestroyArgs),
    /// Build the Lambda zip (`bootstrap` = idpctl for the profile's architecture), or with
    /// --image the container image as an OCI layout.
    Package(PackageArgs),
    /// Check class configs, show the effective configuration, and manage the configuration
    /// versions of the stack (push, list, activate, diff) without deploying code.
    Config(ConfigArgs),
    /// Score results against a ground truth (one expected JSON per document, or the
    /// accelerator's baseline folder): accuracy, precision and recall per field, per class and
    /// overall, with the class config's evaluation methods.
    Eval(EvalArgs),
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// A `process --out` folder, or one result.json.
    #[arg(value_name = "RESULTS")]
    pub results: PathBuf,

    /// A folder of expected JSON files (`<document>.json`) or of the accelerator's baseline
    /// folders (`<document>/sections/<n>/result.json`), or one expected JSON file.
    #[arg(value_name = "GROUND_TRUTH")]
    pub ground_truth: PathBuf,

    /// Exit 1 when the overall accuracy is below this share (0.8, 80 or 80%).
    #[arg(long, value_name = "SHARE")]
    pub min_accuracy: Option<String>,
}

#[derive(Debug, Args)]
pub struct ProcessArgs {
    /// Documents, folders of documents, or ZIP batches.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Write `<DIR>/<document>/result.json` and `<DIR>/summary.json`.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// With a deployed stack: give up waiting after this many seconds (the documents go on
    /// processing; `idpctl results` fetches them later).
    #[arg(long, value_name = "SECONDS", default_value_t = 3600)]
    pub timeout: u64,
}

#[derive(Debug, Args)]
pub struct ResultsArgs {
    /// Input keys as `process` uploaded them (`inbox/<file name>`).
    #[arg(required = true, value_name = "KEY")]
    pub keys: Vec<String>,

    /// Write `<DIR>/<document>/result.json` and `<DIR>/summary.json`.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct HandlerArgs {
    /// Handler name (default: the `_HANDLER` environment variable Lambda sets from the function's Handler).
    #[arg(conflicts_with = "list")]
    pub name: Option<String>,

    /// Print every handler name, one a line.
    #[arg(long)]
    pub list: bool,
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    /// Write template.yaml, statemachine.asl.json and parameters.json here (else the template goes to stdout).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Stack definition to render (stacks/<NAME>.yaml).
    #[arg(long, default_value = crate::stack::DEFAULT_STACK, hide = true)]
    pub stack: String,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Keep the rendered files here instead of a temporary folder.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Skip cfn-lint, statelint and checkov even when they are installed.
    #[arg(long)]
    pub no_external: bool,

    /// Stack definition to validate (stacks/<NAME>.yaml).
    #[arg(long, default_value = crate::stack::DEFAULT_STACK, hide = true)]
    pub stack: String,
}

#[derive(Debug, Args)]
pub struct DeployArgs {
    /// Deploy without asking (changes that replace or remove data stores still need --allow-replace).
    #[arg(long)]
    pub yes: bool,

    /// Agree in advance to changes that replace or remove a bucket, table or queue.
    #[arg(long)]
    pub allow_replace: bool,

    /// Create and show the change set, but do not execute it.
    #[arg(long)]
    pub no_execute: bool,

    /// Fail instead of waiting when another stack operation is in progress.
    #[arg(long)]
    pub no_wait: bool,

    /// Deploy this Lambda zip (from `idpctl package` or deploy.sh) instead of packaging the running idpctl.
    #[arg(long, value_name = "ZIP")]
    pub artifact: Option<PathBuf>,

    /// Stack definition to deploy (stacks/<NAME>.yaml).
    #[arg(long, default_value = crate::stack::DEFAULT_STACK, hide = true)]
    pub stack: String,
}

#[derive(Debug, Args)]
pub struct HookArgs {
    #[command(subcommand)]
    pub action: HookAction,
}

#[derive(Debug, Subcommand)]
pub enum HookAction {
    /// Call this Lambda function with every finished document.
    Set {
        /// arn:aws:lambda:<region>:<account-id>:function:<name>[:<alias>]
        arn: String,
        /// Apply without asking.
        #[arg(long)]
        yes: bool,
    },
    /// Stop calling the hook.
    Clear {
        /// Apply without asking.
        #[arg(long)]
        yes: bool,
    },
    /// Print the hook's ARN (an empty line when none is set).
    Show,
    /// Put a sample completion event on the event bus: it travels the rule, the dispatcher and
    /// your hook as a real one does; prints what the hook answered.
    Test {
        /// Seconds to wait for the hook's answer.
        #[arg(long, default_value_t = 60)]
        timeout: u64,
    },
    /// Send the completion events in the hook's dead-letter queue to the hook again; each one
    /// delivered leaves the queue, the rest stay with their reason.
    Redrive {
        /// Stop after this many events.
        #[arg(long, default_value_t = 100)]
        max: usize,
    },
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Compare the deployed code with this zip or binary instead of the running idpctl.
    #[arg(long, value_name = "PATH")]
    pub artifact: Option<PathBuf>,
    /// Sum the metering and cost of the documents completed since then: `24h`, `7d`, a date,
    /// an RFC 3339 time or `all` (default: the last 24 h in AWS, at most 10,000 documents;
    /// `all` on the local stack).
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
}

#[derive(Debug, Args)]
pub struct DestroyArgs {
    /// Delete without asking.
    #[arg(long)]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct PackageArgs {
    /// Package this binary (or check and copy this zip) instead of the running idpctl.
    #[arg(long, value_name = "BINARY")]
    pub artifact: Option<PathBuf>,

    /// Where to write the zip (default: target/lambda/idpctl-<architecture>.zip), or with
    /// --image the OCI layout folder (default: target/lambda/image-<architecture>).
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,

    /// Build the Lambda container image as an OCI image layout instead of the zip: the binary,
    /// CA certificates and what the profile's OCR engine needs (Tesseract for `tesseract`).
    #[arg(long)]
    pub image: bool,
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    #[command(subcommand)]
    pub action: ConfigAction,
}

#[derive(Debug, Subcommand)]
pub enum ConfigAction {
    /// Check config files (accelerator config.yaml, class files, folders of them): exit 0 clean,
    /// 1 with findings, 2 when a file cannot be read.
    Validate {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// The profile's effective configuration (built-in classes, --classes, IDPCTL_CLASSES,
    /// `classes:`), with where each part came from.
    Show,
    /// Store FILEs (over the built-in classes unless --classes-mode replace) as a new version
    /// of the stack's configuration; nothing is overwritten.
    Push {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Make it the active version right away.
        #[arg(long)]
        activate: bool,
        /// A note kept with the version.
        #[arg(long, short = 'm', value_name = "TEXT")]
        message: Option<String>,
    },
    /// The stack's configuration versions: which is active, who pushed each, when.
    List,
    /// Make VERSION the one the stack's functions use (they pick it up within seconds).
    Activate {
        #[arg(value_name = "VERSION")]
        version: u64,
    },
    /// What differs between two configurations: version numbers, `active`, `latest`, `profile`
    /// (the effective configuration of the profile) or a config file. Default: active vs
    /// profile. Exit 0 same, 1 different.
    Diff {
        #[arg(value_name = "A")]
        a: Option<String>,
        #[arg(value_name = "B")]
        b: Option<String>,
    },
}
