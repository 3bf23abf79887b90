package co.ostorlab.myblocnote

import android.content.ContentProvider
import android.content.ContentValues
import android.content.UriMatcher
import android.database.Cursor
import android.net.Uri
import android.text.TextUtils

class FileContentProvider : ContentProvider() {

    private lateinit var dbHelper: FileDatabaseHelper
    private lateinit var uriMatcher: UriMatcher

    companion object {
        private const val AUTHORITY = "co.ostorlab.myblocnote.provider"
        private const val SINGLE_FILE = 1
        private const val ROOT_DIRECTORY = 3
    }

    override fun onCreate(): Boolean {
        dbHelper = FileDatabaseHelper(context!!)
        uriMatcher = UriMatcher(UriMatcher.NO_MATCH).apply {
            addURI(AUTHORITY, "file/#", SINGLE_FILE)
            addURI(AUTHORITY, "root", ROOT_DIRECTORY)
        }
        return true
    }

    override fun delete(uri: Uri, where: String?, whereArgs: Array<String>?): Int {
        val db = dbHelper.writableDatabase
        var count = 0

        when (uriMatcher.match(uri)) {
            SINGLE_FILE -> {
                count = db.delete(
                    FileTableMeta.FILE_TABLE_NAME,
                    FileTableMeta._ID + "=" + uri.pathSegments[1] + // EXPECT selection built from the caller's URI and where clause
                            if (!TextUtils.isEmpty(where)) " AND ($where)" else "",
                    whereArgs
                )
            }
            ROOT_DIRECTORY -> {
                count = db.delete(FileTableMeta.FILE_TABLE_NAME, where, whereArgs)
            }
        }

        context?.contentResolver?.notifyChange(uri, null)
        return count
    }

    override fun query(uri: Uri, projection: Array<String>?, selection: String?, selectionArgs: Array<String>?, sortOrder: String?): Cursor? = null

    override fun getType(uri: Uri): String? = null

    override fun insert(uri: Uri, values: ContentValues?): Uri? = null

    override fun update(uri: Uri, values: ContentValues?, selection: String?, selectionArgs: Array<String>?): Int = 0
}
