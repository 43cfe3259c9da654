import type { SourcePos } from '../../errors/index.ts';

/** Expr is a conditional expression kept with its source text and position, as the loader read it. */
export interface Expr {
  readonly source: string;
  readonly pos: SourcePos;
}

/** ExprNode is the syntax tree of a conditional expression; `at` is the offset of the node's key token. */
export type ExprNode =
  | { readonly t: 'lit'; readonly v: unknown; readonly at: number }
  | { readonly t: 'name'; readonly name: string; readonly at: number }
  | { readonly t: 'attr'; readonly obj: ExprNode; readonly name: string; readonly at: number }
  | { readonly t: 'index'; readonly obj: ExprNode; readonly index: ExprNode; readonly at: number }
  | { readonly t: 'list'; readonly items: readonly ExprNode[]; readonly at: number }
  | { readonly t: 'dict'; readonly entries: readonly (readonly [ExprNode, ExprNode])[]; readonly at: number }
  | { readonly t: 'unary'; readonly op: 'not' | '-' | '+'; readonly arg: ExprNode; readonly at: number }
  | { readonly t: 'bin'; readonly op: BinOp; readonly l: ExprNode; readonly r: ExprNode; readonly at: number }
  | { readonly t: 'filter'; readonly arg: ExprNode; readonly name: string; readonly args: readonly ExprNode[]; readonly at: number }
  | {
      readonly t: 'test';
      readonly arg: ExprNode;
      readonly name: string;
      readonly args: readonly ExprNode[];
      readonly negate: boolean;
      readonly at: number;
    }
  | { readonly t: 'cond'; readonly test: ExprNode; readonly then: ExprNode; readonly else: ExprNode | undefined; readonly at: number }
  | { readonly t: 'call'; readonly obj: ExprNode; readonly method: string; readonly args: readonly ExprNode[]; readonly at: number };

/** BinOp is a binary operator of the expression language. */
export type BinOp = 'or' | 'and' | '==' | '!=' | '<' | '>' | '<=' | '>=' | 'in' | 'not in' | '+' | '-' | '*' | '/' | '//' | '%' | '**' | '~';
