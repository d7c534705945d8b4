/** A translation table: the Chinese table must have exactly the English table's keys. */
export type Translations<T> = { readonly [K in keyof T]: string };
