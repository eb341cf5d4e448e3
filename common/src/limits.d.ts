export declare const TITLE_MAX = 200;
export declare const DESCRIPTION_MAX = 2000;
export declare const PAGE_MAX = 100;
export declare const PAGE_DEFAULT = 20;
export declare const NAME_MAX = 100;
