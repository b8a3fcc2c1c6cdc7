// The `topic-trends` command. It only parses arguments into a config and calls the library API
// (runPipeline); every behaviour is reachable from code the same way.
import { writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { mergeConfig, readConfigFile, resolveConfig, type Config } from './config.ts';
import { EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK, InputError, UserError } from './errors.ts';
import { exportLabels, importLabelFile, type LabelFormat } from './labels.ts';
import { openExistingArchive } from './store/open-archive.ts';
import { createLogger } from './log.ts';
import { createProgress } from './progress.ts';
import { runPipeline } from './runner.ts';
import { STAGE_NAMES, type StageName } from './stage.ts';

interface RunFlags {
  input?: string[];
  config?: string;
  out?: string;
  k?: number | 'auto';
  seed?: number;
  archive?: string;
  stage?: StageName;
  from?: StageName;
  quiet?: boolean;
  json?: boolean;
  verbose?: boolean;
  refit?: boolean;
}

interface ArchiveFlags {
  config?: string;
  out?: string;
  archive?: string;
}

interface ExportFlags extends ArchiveFlags {
  format?: LabelFormat;
  file?: string;
}

function integer(name: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${name} must be a whole number, got "${value}"`);
    return Number(value);
  };
}

/** Builds the config a `run` invocation means: defaults < config file < flags. */
export function configFromFlags(flags: RunFlags): Config {
  let raw: Record<string, unknown> = {};
  if (flags.config) raw = readConfigFile(flags.config) as Record<string, unknown>;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return resolveConfig(raw, flags.config);
  }
  const overrides: Record<string, unknown> = {
    input: flags.input,
    out: flags.out,
    seed: flags.seed,
    cluster: flags.k !== undefined ? { k: flags.k } : undefined,
    archive: flags.archive ? { path: flags.archive } : undefined,
    model: flags.refit ? { refit: true } : undefined,
  };
  return resolveConfig(mergeConfig(raw, overrides), flags.config ?? 'command line');
}

/** The config the labels commands need to find the archive: defaults < config file < flags. */
export function archiveConfigFromFlags(flags: ArchiveFlags): Config {
  let raw: Record<string, unknown> = {};
  if (flags.config) raw = readConfigFile(flags.config) as Record<string, unknown>;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return resolveConfig(raw, flags.config);
  return resolveConfig(mergeConfig(raw, { out: flags.out, archive: flags.archive ? { path: flags.archive } : undefined }), flags.config ?? 'command line');
}

function addArchiveOptions(cmd: Command): Command {
  return cmd
    .option('-c, --config <file>', 'the JSON config file the nightly run uses (for archive.path and out)')
    .option('-o, --out <dir>', 'the output folder of the nightly run (its archive is <dir>/archive.sqlite; default: out)')
    .option('--archive <path>', 'the archive file itself (overrides the config)')
    .option('--verbose', 'print stack traces of errors');
}

export function buildCli(): Command {
  const program = new Command('topic-trends')
    .description('Topics and topic trends from research-paper abstracts: ingest, TF-IDF, PCA, k-means, trends, one HTML report.')
    .showHelpAfterError()
    .exitOverride();
  program
    .command('run')
    .description('run the pipeline (all stages, skipping those whose inputs did not change) and publish the report')
    .addOption(new Option('-i, --input <files...>', 'input files (JSONL, JSON, CSV, arXiv snapshot, HF daily papers, trending page; .gz ok). Default: the State of the Union corpus from npm'))
    .option('-c, --config <file>', 'JSON config file (see README; every key has a default)')
    .option('-o, --out <dir>', 'output folder (default: out)')
    .option('-k, --k <k>', 'number of topics, or "auto"', (v: string) => (v === 'auto' ? 'auto' : integer('--k')(v)))
    .option('-s, --seed <n>', 'random seed', integer('--seed'))
    .option('--archive <path>', 'the paper archive (SQLite; default: <out>/archive.sqlite)')
    .addOption(new Option('--stage <name>', 'run only this stage (its inputs come from the last run)').choices([...STAGE_NAMES]))
    .addOption(new Option('--from <name>', 're-run from this stage on').choices([...STAGE_NAMES]))
    .option('-q, --quiet', 'print only warnings and the report path (for cron)')
    .option('--refit', 'refit vocabulary, PCA and clusters on the whole window tonight instead of folding the new papers into the stored model')
    .option('--json', 'log one JSON object per line on stderr')
    .option('--verbose', 'print stack traces of errors')
    .action(async (flags: RunFlags) => {
      const config = configFromFlags(flags);
      // A live line per stage only for a person at a terminal (createProgress: TTY only).
      const progress = flags.quiet || flags.json ? undefined : createProgress({ stream: process.stderr });
      const logger = createLogger({ quiet: flags.quiet, json: flags.json, progress });
      const result = await runPipeline(config, { stage: flags.stage, from: flags.from, logger, progress });
      if (result.reportPath) process.stdout.write(`${result.reportPath}\n`);
      else logger.info(`stage ${flags.stage ?? ''} done; no report published (run the report stage to publish)`);
    });

  const labels = program.command('labels').description("editors' topic names: export the current topics, import the names");
  addArchiveOptions(
    labels
      .command('export')
      .description('write the last published run\'s topics with automatic and editor labels, terms, size, share, growth and review flags')
      .addOption(new Option('--format <format>', 'csv or json (default: from --file, else csv)').choices(['csv', 'json']))
      .option('-f, --file <path>', 'write to this file instead of stdout'),
  ).action((flags: ExportFlags) => {
    const format: LabelFormat = flags.format ?? (flags.file && extname(flags.file).toLowerCase() === '.json' ? 'json' : 'csv');
    const store = openExistingArchive(archiveConfigFromFlags(flags));
    try {
      const text = exportLabels(store, format);
      if (flags.file) {
        try {
          writeFileSync(flags.file, text);
        } catch (err) {
          throw new InputError(`${flags.file}: cannot write (${(err as NodeJS.ErrnoException).code ?? String(err)})`, flags.file);
        }
      } else {
        process.stdout.write(text);
      }
    } finally {
      store.close();
    }
  });
  addArchiveOptions(
    labels
      .command('import')
      .description('store editor labels from a CSV or JSON file (topic_id, editor_label; an empty editor_label clears a name; needs_review false confirms a flagged one). Shown from the next run on.')
      .argument('<file>', 'the edited export (CSV or JSON)'),
  ).action((file: string, flags: ArchiveFlags) => {
    const store = openExistingArchive(archiveConfigFromFlags(flags));
    try {
      const r = importLabelFile(store, file);
      process.stdout.write(`labels import: ${r.set} set, ${r.cleared} cleared, ${r.confirmed} confirmed, ${r.unchanged} unchanged (topics of run ${r.run}); shown from the next run on\n`);
    } finally {
      store.close();
    }
  });
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildCli();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      return err.exitCode === 0 ? EXIT_OK : EXIT_BAD_INPUT;
    }
    const verbose = argv.includes('--verbose');
    if (err instanceof UserError) {
      process.stderr.write(`topic-trends: ${err.message}\n`);
      if (verbose) process.stderr.write(`${err.stack}\n`);
      return err.exitCode;
    }
    process.stderr.write(`topic-trends: internal error: ${(err as Error)?.message ?? String(err)}\n`);
    process.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
    return EXIT_FAILURE;
  }
}

const invokedDirectly = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').pop()!);
if (invokedDirectly) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
