pub mod anaf_zip;
pub mod ubl;
pub mod table;
pub mod rows;
pub mod ubl_write;
pub mod csv_write;
