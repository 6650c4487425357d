/**
 * "Insert into notebook": the selected rows' attribution tables (payload
 * with its static HTML fallback) and the evaluation summary (HTML and plain
 * text), appended to the active code cell's outputs with the package's
 * insert helpers: existing outputs are never replaced, the same insertion
 * twice is refused.
 */
import { Notification } from '@jupyterlab/apputils';
import type { INotebookTracker } from '@jupyterlab/notebook';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { IBatchPayload } from '../../payload/types';
import type { IEvaluationSummary } from '../../evaluate/summary';
import { summaryFragment } from '../../evaluate/summary-html';
import { formatScore } from '../../evaluate/row-payload';
import { fragmentOrEmpty } from '../actions';
import {
  appendOutputOnce,
  buildDisplayOutput,
  computationKey,
  IDisplayDataOutput,
  IOutputListLike,
  OUTPUT_METADATA_KEY
} from '../insert-output';

/** The summary as a display_data output: HTML fragment and plain text. */
export function summaryOutput(
  summary: IEvaluationSummary,
  heading: string,
  key: string
): IDisplayDataOutput {
  const accuracy =
    summary.accuracy === null
      ? 'no labels'
      : `accuracy ${(100 * summary.accuracy).toFixed(1)}%`;
  return {
    output_type: 'display_data',
    data: {
      'text/html': summaryFragment(summary, heading),
      'text/plain': `${heading}: ${summary.count} rows, ${accuracy}, mean loss ${formatScore(summary.meanLoss)}`
    },
    metadata: { [OUTPUT_METADATA_KEY]: { key } }
  };
}

/** Appends the tables and the summary to the active code cell; says what happened. */
export function insertIntoNotebook(
  notebooks: INotebookTracker,
  trans: TranslationBundle,
  tables: IBatchPayload,
  summary: { summary: IEvaluationSummary; heading: string }
): boolean {
  const notebook = notebooks.currentWidget;
  const cell = notebooks.activeCell;
  if (!notebook || !cell || cell.model.type !== 'code') {
    Notification.warning(
      trans.__(
        'Open a notebook and select a code cell to insert the tables into.'
      ),
      { autoClose: 6000 }
    );
    return false;
  }
  const outputs = (cell.model as unknown as { outputs: IOutputListLike })
    .outputs;
  const key = computationKey(['explorer', tables]);
  const added = [
    appendOutputOnce(
      outputs,
      buildDisplayOutput(tables, { key, html: fragmentOrEmpty(tables) })
    ),
    appendOutputOnce(
      outputs,
      summaryOutput(
        summary.summary,
        summary.heading,
        computationKey(['explorer-summary', summary.summary])
      )
    )
  ];
  if (added.every(result => result === 'duplicate')) {
    Notification.info(
      trans.__('These tables are already in the active cell.'),
      {
        autoClose: 3000
      }
    );
    return false;
  }
  Notification.success(
    trans.__(
      '%1 tables and the summary inserted into %2.',
      tables.samples.length,
      notebook.title.label
    ),
    { autoClose: 3000 }
  );
  return true;
}
