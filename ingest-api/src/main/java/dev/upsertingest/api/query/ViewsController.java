package dev.upsertingest.api.query;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.MediaType;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The materialized views, read-only, for analysts and dashboards. */
@RestController
@Tag(name = "query", description = "Read the materialized views")
public class ViewsController {

    private final ViewService views;

    public ViewsController(ViewService views) {
        this.views = views;
    }

    @GetMapping(path = "/api/v1/views", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "List the views", description = "Each view with its columns (which are sortable and filterable), "
            + "key, row estimate and freshness (as_of, newest data, staleness).")
    public ViewResponses.ViewList list() {
        return views.list();
    }

    @GetMapping(path = "/api/v1/views/{view}", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Read a page of a view",
            description = "Filters: column=value, column.ne|gt|gte|lt|lte=value, column.in=a,b,c, column.null=true|false. "
                    + "sort=column or sort=-column (indexed columns only). limit (capped). cursor: next_cursor of the "
                    + "previous page (keyset pagination). Every response says how fresh the view is.")
    @ApiResponse(responseCode = "200", description = "A page of rows, and next_cursor if there are more")
    @ApiResponse(responseCode = "400", description = "Unknown column, bad value, unsortable column, bad cursor or limit")
    @ApiResponse(responseCode = "404", description = "No such view")
    public ViewResponses.Rows rows(@Parameter(description = "view name") @PathVariable String view,
                                   @Parameter(hidden = true) @RequestParam MultiValueMap<String, String> parameters) {
        return views.rows(view, parameters);
    }

    @GetMapping(path = "/api/v1/views/{view}/rows/{key}", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Read one row by its key, in the path",
            description = "The key value, percent-encoded as one path segment; for a composite key a JSON array of the "
                    + "values in key order. Encoded '/' (%2F), '\\' (%5C), '%' (%25), ';' (%3B) and line feeds (%0A) work; "
                    + "a key that is '.' or '..', or holds a carriage return, a NUL or U+2028/U+2029, does not fit in a "
                    + "path: use GET /api/v1/views/{view}/row?key=..., which takes any key.")
    @ApiResponse(responseCode = "200", description = "The row, and how fresh the view is")
    @ApiResponse(responseCode = "400", description = "The key does not parse as the view's key, or the path holds a character refused in paths")
    @ApiResponse(responseCode = "404", description = "No such view, or no row with that key")
    public ViewResponses.Row row(@Parameter(description = "view name") @PathVariable String view,
                                 @Parameter(description = "the key, percent-encoded") @PathVariable String key) {
        return views.row(view, key);
    }

    @GetMapping(path = "/api/v1/views/{view}/row", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Read one row by its key, in the query",
            description = "The same as /rows/{key}, for any key whatever its characters: the key value percent-encoded "
                    + "as the query parameter key (for a composite key a JSON array of the values in key order), e.g. "
                    + "row?key=a%2Fb or row?key=%5B%22acme%22%2C2%5D.")
    @ApiResponse(responseCode = "200", description = "The row, and how fresh the view is")
    @ApiResponse(responseCode = "400", description = "No key, or it does not parse as the view's key")
    @ApiResponse(responseCode = "404", description = "No such view, or no row with that key")
    public ViewResponses.Row rowByQuery(@Parameter(description = "view name") @PathVariable String view,
                                        @Parameter(description = "the key value (a JSON array for a composite key)") @RequestParam String key) {
        return views.row(view, key);
    }
}
