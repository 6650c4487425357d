/**
 * The layout rules of CONTRIBUTING.md, checked on the source itself: no
 * import cycles, each folder imports only the folders below it, files and
 * functions stay small enough to read. The import graph comes from the
 * TypeScript compiler's own parse of every file in src/.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const SRC = path.resolve(__dirname, '..', '..', 'src');

/** Folders (relative to src/) and the folders each may import. */
const MAY_IMPORT: { [folder: string]: string[] } = {
  payload: [],
  table: ['payload'],
  render: ['payload', 'table'],
  text: ['payload'],
  // The model's root files: loading and running (engine), and the types,
  // errors and limits every model folder shares.
  model: ['payload', 'text', 'model/files', 'model/graph', 'model/layers'],
  'model/files': ['payload', 'model'],
  'model/layers': ['model'],
  'model/graph': ['payload', 'text', 'model', 'model/files', 'model/layers'],
  explain: ['payload', 'text', 'model', 'model/graph', 'model/layers'],
  workers: [
    'payload',
    'text',
    'model',
    'model/files',
    'model/graph',
    'explain'
  ],
  evaluate: ['payload', 'table', 'text', 'model', 'explain', 'workers'],
  lab: [
    'payload',
    'table',
    'render',
    'text',
    'model',
    'explain',
    'evaluate',
    'workers'
  ],
  cli: [
    'payload',
    'table',
    'text',
    'model',
    'model/files',
    'model/graph',
    'model/layers',
    'explain',
    'evaluate',
    'workers'
  ]
};

/** Files that are data or generated tables, not code to read. */
const DATA_FILES = new Set(['table/colormaps.json']);
const MAX_FILE_LINES = 500;
const MAX_FUNCTION_LINES = 80;

interface ISourceFile {
  file: string;
  text: string;
  source: ts.SourceFile;
}

function sourceFiles(): ISourceFile[] {
  const out: ISourceFile[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(full);
      } else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) {
        const text = fs.readFileSync(full, 'utf8');
        out.push({
          file: path.relative(SRC, full).split(path.sep).join('/'),
          text,
          source: ts.createSourceFile(full, text, ts.ScriptTarget.ES2020, true)
        });
      }
    }
  };
  walk(SRC);
  return out;
}

/** Relative imports of a file, resolved to src-relative paths of .ts files. */
function importsOf(f: ISourceFile, known: Set<string>): string[] {
  const out: string[] = [];
  const add = (specifier: string) => {
    if (!specifier.startsWith('.')) {
      return;
    }
    const base = path.posix.normalize(
      path.posix.join(
        path.posix.dirname(f.file),
        specifier.replace(/\.js$/, '')
      )
    );
    const hit = [`${base}.ts`, `${base}.tsx`, `${base}/index.ts`].find(c =>
      known.has(c)
    );
    if (hit) {
      out.push(hit);
    }
  };
  const visit = (node: ts.Node) => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      add(node.moduleSpecifier.text);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments.length === 1 &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      add(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(f.source);
  return out;
}

/** The folder rule a file falls under: its longest listed folder. */
function folderOf(file: string): string {
  const dir = path.posix.dirname(file);
  const listed = Object.keys(MAY_IMPORT)
    .filter(folder => dir === folder || dir.startsWith(`${folder}/`))
    .sort((a, b) => b.length - a.length);
  return listed[0] ?? '.';
}

function cycles(graph: Map<string, string[]>): string[][] {
  // Tarjan's strongly connected components; any with 2+ files is a cycle.
  let index = 0;
  const stack: string[] = [];
  const on = new Set<string>();
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const found: string[][] = [];
  const strong = (v: string) => {
    order.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!order.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) {
        low.set(v, Math.min(low.get(v)!, order.get(w)!));
      }
    }
    if (low.get(v) === order.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) {
        found.push(component.sort());
      }
    }
  };
  for (const v of graph.keys()) {
    if (!order.has(v)) {
      strong(v);
    }
  }
  return found;
}

describe('source layout', () => {
  const files = sourceFiles();
  const known = new Set(files.map(f => f.file));
  const graph = new Map(files.map(f => [f.file, importsOf(f, known)]));

  it('reads the source tree', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(graph.get('mime.ts')).toEqual(
      expect.arrayContaining(['render/widget.ts'])
    );
  });

  it('has no import cycles', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('imports only from the folders each folder may use', () => {
    const wrong: string[] = [];
    for (const [file, targets] of graph) {
      const from = folderOf(file);
      const allowed = MAY_IMPORT[from];
      if (!allowed) {
        continue; // entry points at the top of src/
      }
      for (const target of targets) {
        const to = folderOf(target);
        if (to !== from && !allowed.includes(to)) {
          wrong.push(
            `${file} -> ${target} (${from} may import: ${allowed.join(', ') || 'nothing'})`
          );
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it(`keeps files under ${MAX_FILE_LINES} lines`, () => {
    const long = files
      .filter(f => !DATA_FILES.has(f.file))
      .map(f => ({ file: f.file, lines: f.text.split('\n').length }))
      .filter(f => f.lines > MAX_FILE_LINES)
      .map(f => `${f.file}: ${f.lines} lines`);
    expect(long).toEqual([]);
  });

  it(`keeps functions under ${MAX_FUNCTION_LINES} lines`, () => {
    const long: string[] = [];
    for (const f of files) {
      const visit = (node: ts.Node) => {
        if (ts.isFunctionLike(node) && 'body' in node && node.body) {
          const start = f.source.getLineAndCharacterOfPosition(
            node.getStart()
          ).line;
          const end = f.source.getLineAndCharacterOfPosition(node.end).line;
          if (end - start + 1 > MAX_FUNCTION_LINES) {
            const name =
              (node as ts.FunctionDeclaration).name?.getText() ?? '(anonymous)';
            long.push(
              `${f.file}:${start + 1} ${name}: ${end - start + 1} lines`
            );
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(f.source);
    }
    expect(long).toEqual([]);
  });
});

describe("CONTRIBUTING.md's layout table", () => {
  /** "May import" of each `src/<folder>/` row, as written. */
  function documented(): { [folder: string]: string[] } {
    const text = fs.readFileSync(
      path.resolve(SRC, '..', 'CONTRIBUTING.md'),
      'utf8'
    );
    const rows: { [folder: string]: string[] } = {};
    for (const line of text.split('\n')) {
      const match =
        /^\| `src\/([^`]+)\/`(?: \(root files\))?\s*\|[^|]*\|([^|]*)\|/.exec(
          line
        );
      if (match) {
        const cell = match[2].trim();
        rows[match[1]] =
          cell === 'nothing' ? [] : cell.split(',').map(s => s.trim());
      }
    }
    return rows;
  }

  it('lists every folder with the imports the rules above allow', () => {
    const sorted = (rules: { [folder: string]: string[] }) =>
      Object.fromEntries(
        Object.entries(rules)
          .map(([folder, allowed]) => [folder, [...allowed].sort()] as const)
          .sort(([a], [b]) => a.localeCompare(b))
      );
    expect(sorted(documented())).toEqual(sorted(MAY_IMPORT));
  });
});
