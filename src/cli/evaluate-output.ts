/**
 * Where `char-attention evaluate` puts its results: JSONL on stdout (one
 * line per row in input order, then the summary line), or the standalone
 * HTML report (`-o`), built from bounded state (the summary and the worst
 * rows) and written once the run is complete.
 */
import * as fs from 'fs';
import type { IEvaluated } from '../evaluate/evaluate-rows';
import { reportHtml, IReportRow } from '../evaluate/report-html';
import { rowSample } from '../evaluate/row-payload';
import type { IEvaluationSummary } from '../evaluate/summary';
import { WorstRows } from '../evaluate/worst-rows';
import type { IBatchPayload } from '../payload/types';
import { writeStdout } from './encode';

/** Rows shown in the report's row table. */
export const REPORT_ROWS = 1000;

export interface IEvaluationSink {
  rows(rows: IEvaluated[]): Promise<void>;
  /** After the last row: the summary line, or the report. */
  finish(summary: IEvaluationSummary): Promise<void>;
}

/** `--json`: one line per row, then `{"summary": ...}`. */
export class JsonlSink implements IEvaluationSink {
  async rows(rows: IEvaluated[]): Promise<void> {
    if (rows.length) {
      await writeStdout(rows.map(r => JSON.stringify(r.row)).join('\n') + '\n');
    }
  }

  async finish(summary: IEvaluationSummary): Promise<void> {
    await writeStdout(JSON.stringify({ summary }) + '\n');
  }
}

export interface IReportOptions {
  output: string;
  heading: string;
  methods: string[];
  /** Attribution tables of this many worst rows. */
  worst: number;
  /**
   * Explains rows that have no explanation yet (the run had no --method):
   * resolves to the rows with values, and a note saying how they were made.
   */
  explainWorst(
    rows: IEvaluated[]
  ): Promise<{ rows: IEvaluated[]; note: string }>;
}

/** `-o report.html`: the worst rows kept as they come, the document written at the end. */
export class ReportSink implements IEvaluationSink {
  constructor(private _options: IReportOptions) {
    this._kept = new WorstRows<IEvaluated>(
      Math.max(REPORT_ROWS, _options.worst),
      item => item.row
    );
  }

  async rows(rows: IEvaluated[]): Promise<void> {
    rows.forEach(row => this._kept.add(row));
  }

  async finish(summary: IEvaluationSummary): Promise<void> {
    const kept = this._kept.rows();
    const notes: string[] = [];
    if (summary.count > kept.length) {
      notes.push(
        `The row table shows the ${kept.length} rows with the largest loss of ${summary.count}.`
      );
    }
    if (summary.labelled === 0) {
      notes.push('The file has no labels: rows are in input order.');
    }
    let worst = kept.slice(0, this._options.worst);
    if (worst.length && this._options.methods.length === 0) {
      const explained = await this._options.explainWorst(worst);
      worst = explained.rows;
      notes.push(explained.note);
    }
    const tables: IBatchPayload | null = worst.length
      ? {
          version: 1,
          samples: worst.map(w =>
            rowSample(w.row, {
              classes: summary.classes,
              line: w.extras.line
            })
          ),
          options: { shareScale: false }
        }
      : null;
    const rows: IReportRow[] = kept.map(k => ({
      row: k.row,
      line: k.extras.line
    }));
    const html = reportHtml({
      heading: this._options.heading,
      summary,
      methods: this._options.methods,
      rows,
      tables,
      notes
    });
    try {
      fs.writeFileSync(this._options.output, html);
    } catch (error) {
      const code =
        (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new Error(`cannot write '${this._options.output}': ${code}`);
    }
  }

  private _kept: WorstRows<IEvaluated>;
}
