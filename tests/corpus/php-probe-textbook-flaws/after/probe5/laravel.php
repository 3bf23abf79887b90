<?php
use Illuminate\Http\Request;
use Illuminate\Support\Facades\DB;

class PostController
{
    public function index(Request $request)
    {
        $posts = DB::table('posts')->whereRaw("title = '" . $request->input('t') . "'")->get(); // EXPECT sqli
        $sorted = DB::table('posts')->orderBy($request->input('sort'))->get(); // not found: sqli
        return redirect($request->input('next')); // EXPECT redirect
    }

    public function show(Request $request)
    {
        return response()->download(storage_path('app/' . $request->input('file'))); // EXPECT path
    }
}
