// Long identifiers as labels (`createFeatureBranch`, `run_integration_tests_and_publish`) wrap
// where a reader sees a word end, not wherever the line runs out: a <wbr> marks each such place.
// <wbr> adds no character, so the label's text (what a screen reader reads, what is copied)
// stays the label as written.
import { Fragment, memo } from "react";

const BREAKS = new RegExp(
  [
    "(?<=\\p{Ll})(?=\\p{Lu})", // a camelCase hump: feature|Branch
    "(?<=\\p{Lu})(?=\\p{Lu}\\p{Ll})", // the end of an acronym: HTTP|Request
    "(?<=[_\\-./:])(?=[^_\\-./:\\s])", // after separators: tests_|and, build-|2, pkg.|name
    "(?<=\\p{L})(?=\\p{Nd})", // letters, then digits: step|42
    "(?<=\\p{Nd})(?=\\p{L})", // digits, then letters: 42|nd
  ].join("|"),
  "u",
);

/** The label cut where a line may break inside a word; the pieces join back into the label. */
export function labelPieces(label: string): string[] {
  return label.split(BREAKS).filter((piece) => piece !== "");
}

/** A label that wraps between its word pieces (hover and screen readers get it whole). */
export const LabelText = memo(function LabelText({ text }: { text: string }) {
  const pieces = labelPieces(text);
  return (
    <>
      {pieces.map((piece, index) => (
        <Fragment key={index}>
          {index > 0 && <wbr />}
          {piece}
        </Fragment>
      ))}
    </>
  );
});
