export interface CollectionsTables {}
