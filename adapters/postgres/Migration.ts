/**
 * The shape of one schema migration: a version unique across all areas, a frozen name, and its SQL
 * statements given the quoted schema identifier (e.g. `"anju"`).
 */
export interface Migration {
  readonly version: number
  readonly name: string
  readonly statements: (schema: string) => ReadonlyArray<string>
}
