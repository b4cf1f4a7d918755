// Builds Weft for a benchmark: the work tree (or the committed HEAD with WEFT_BENCH_SRC=head)
// compiled to a private dist, so the proxy runs as plain JavaScript the way users run it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export interface WeftBuild {
  /** the built cli/main.js */
  main: string;
  /** what was built, for the results' notes */
  source: string;
  /** removes the build (each run builds its own, so benchmarks running at once never share one) */
  remove(): void;
}

export function buildWeft(root: string, note: (s: string) => void): WeftBuild {
  // not under node_modules/: Node then treats the build as no package's code and the cluster
  // workers of --concurrency N never come up; tmp/ is git-ignored
  const cache = join(root, 'tmp', 'weft-bench');
  const head = process.env.WEFT_BENCH_SRC === 'head';
  const rev = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root }).toString().trim();
  let project = root;
  let source = `work tree at ${rev}`;
  if (head) {
    project = join(cache, `head-${process.pid}`);
    rmSync(project, { recursive: true, force: true });
    mkdirSync(project, { recursive: true });
    const tar = execFileSync('git', ['archive', 'HEAD', 'src', 'tsconfig.json', 'tsconfig.build.json'], {
      cwd: root,
      maxBuffer: 1 << 30,
    });
    execFileSync('tar', ['-x', '-C', project], { input: tar });
    source = `HEAD ${rev}`;
  } else {
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: root })
      .toString()
      .trim();
    if (dirty) source += ` + uncommitted changes in ${dirty.split('\n').length} src files`;
  }
  const out = join(cache, `${head ? 'head-dist' : 'dist'}-${process.pid}`);
  rmSync(out, { recursive: true, force: true });
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', join(project, 'tsconfig.build.json'), '--outDir', out], {
      cwd: project,
      stdio: 'pipe',
    });
  } catch (e) {
    // type errors still emit JavaScript; only a missing output is fatal
    const msg = (e as { stdout?: Buffer }).stdout?.toString() ?? '';
    note(
      `tsc reported ${msg.split('\n').filter((l) => / error TS/.test(l)).length} type errors (output still emitted)`,
    );
  }
  const main = join(out, 'cli', 'main.js');
  const remove = (): void => {
    rmSync(out, { recursive: true, force: true });
    if (head) rmSync(project, { recursive: true, force: true });
  };
  if (!existsSync(main)) {
    remove();
    throw new Error(`build produced no ${main}`);
  }
  return { main, source, remove };
}
